namespace RealTimeMessageChat.RestApi.Tests.Fakes;

/// <summary>A clock stopped at a whole second, so the queue body's timestamps can be asserted exactly.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
