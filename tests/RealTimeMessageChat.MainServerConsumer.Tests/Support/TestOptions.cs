using RealTimeMessageChat.MainServerConsumer.Consuming;
using RealTimeMessageChat.MainServerConsumer.Options;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

internal static class TestOptions
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 5, 0, 0, TimeSpan.Zero);

    public static MessageValidator Validator(int maxContentBytes = 4096, int maxSubIdLength = 64) =>
        new(Microsoft.Extensions.Options.Options.Create(new ConsumerOptions { MaxContentBytes = maxContentBytes, MaxSubIdLength = maxSubIdLength }), new FixedTimeProvider(Now));

    private sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
