namespace RealTimeMessageChat.MainServer.Tests.Support;

internal static class TestTimeout
{
    /// <summary>The test's own token, cancelled after <paramref name="seconds"/> so no test can hang.</summary>
    public static CancellationTokenSource Start(int seconds = 15)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(seconds));
        return cts;
    }
}
