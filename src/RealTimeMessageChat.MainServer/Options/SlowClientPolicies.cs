namespace RealTimeMessageChat.MainServer.Options;

/// <summary>Values of <c>slow_client_policy</c>.</summary>
internal static class SlowClientPolicies
{
    public const string Disconnect = "disconnect";
    public const string CatchUp = "catch_up";
}
