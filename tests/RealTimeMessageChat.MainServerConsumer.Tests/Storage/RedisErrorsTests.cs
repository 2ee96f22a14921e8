using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;
using StackExchange.Redis;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Storage;

public sealed class RedisErrorsTests
{
    [Theory]
    [InlineData("LOADING Redis is loading the dataset in memory", true)]
    [InlineData("BUSY Redis is busy running a script.", true)]
    [InlineData("OOM command not allowed when used memory > 'maxmemory'.", true)]
    [InlineData("ERR Error running script (call to f_x): @user_script:1: bad", false)]
    public void Translate_ServerReply_ClassifiesByPrefix(string message, bool transient)
    {
        MessageLogException translated = RedisErrors.Translate(new RedisServerException(RedisErrorKind.Unknown, CommandFlags.None, message));

        Assert.Equal(transient, translated.IsTransient);
        Assert.Equal(message, translated.Message);
        Assert.IsType<RedisServerException>(translated.InnerException);
    }

    [Fact]
    public void Translate_ConnectionAndTimeoutFailures_AreTransient()
    {
        Exception[] failures =
        [
            new RedisConnectionException(ConnectionFailureType.SocketFailure, CommandFlags.None, "down", null, CommandStatus.Unknown),
            new RedisTimeoutException(CommandFlags.None, "slow", CommandStatus.Sent),
        ];

        Assert.All(failures, f => Assert.True(RedisErrors.IsRedis(f)));
        Assert.All(failures, f => Assert.True(RedisErrors.Translate(f).IsTransient));
    }

    [Fact]
    public void IsTransient_OwnAndForeignExceptions_RetriesAllButRefusalsAndCancellation()
    {
        Assert.True(MessageLogRetry.IsTransient(new MessageLogException("down", isTransient: true)));
        Assert.False(MessageLogRetry.IsTransient(new MessageLogException("ERR script", isTransient: false)));
        Assert.True(MessageLogRetry.IsTransient(new InvalidDataException("bad entry")));
        Assert.False(MessageLogRetry.IsTransient(new OperationCanceledException()));
    }
}
