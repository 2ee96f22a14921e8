using System.Text;
using RealTimeMessageChat.Contracts.Storage;
using RealTimeMessageChat.Infrastructure.Storage.Redis;

namespace RealTimeMessageChat.Infrastructure.Tests;

/// <summary>
/// The keys one script touches must share a Redis Cluster hash slot. The slot is computed here as
/// the cluster does (CRC16/XMODEM of the hash tag, or of the whole key, mod 16384), independently
/// of the key builders, so a renamed key that loses its tag fails here.
/// </summary>
public sealed class RedisClusterKeysTests
{
    [Fact]
    public void Slot_AgreesWithRedis()
    {
        Assert.Equal(12182, Slot("foo")); // CLUSTER KEYSLOT foo
        Assert.Equal(Slot("bar"), Slot("x{bar}y"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("general")]
    [InlineData("send_global_message")]
    [InlineData("dm-0123456789abcdef0123")]
    public void AppendKeys_OfOneRoom_ShareOneSlot(string room)
    {
        Guid id = Guid.NewGuid();
        int stream = Slot(RedisKeys.Stream(room));
        Assert.Equal(stream, Slot(RedisKeys.Sequence(room)));
        Assert.Equal(stream, Slot(RedisKeys.Dedupe(room, "alice", id)));
    }

    [Fact]
    public void GlobalRoom_KeepsTheOriginalStreamName_AndItsSlot()
    {
        Assert.Equal("send_global_message", RedisKeys.Stream(string.Empty));
        Assert.Equal("{send_global_message}:seq", RedisKeys.Sequence(string.Empty));
        Assert.Equal(Slot("send_global_message"), Slot(RedisKeys.Sequence(string.Empty)));
    }

    [Fact]
    public void Dedupe_OfARoomNamedLikeTheGlobalStream_IsNotTheGlobalRoomsKey()
    {
        Guid id = Guid.NewGuid();
        Assert.NotEqual(RedisKeys.Dedupe(string.Empty, "alice", id), RedisKeys.Dedupe("send_global_message", "alice", id));
        Assert.NotEqual(RedisKeys.Sequence(string.Empty), RedisKeys.Sequence("send_global_message"));
    }

    [Fact]
    public void PresenceKeys_OfOneScript_ShareOneSlot()
    {
        Assert.Equal(Slot(RedisKeys.UserStatus("alice")), Slot(PresenceKeys.Sessions("alice")));
        Assert.Equal(Slot(PresenceKeys.Online), Slot(PresenceKeys.OnlineChanged));
    }

    [Theory]
    [InlineData(0, 0, null)]
    [InlineData(0, 1, "redis_db_user_status_index")]
    [InlineData(2, 0, "redis_db_global_message_index")]
    public void ClusterDatabaseProblem_NamesTheKeyThatIsNotZero(int messages, int status, string? key)
    {
        string? problem = RedisConnectionProvider.ClusterDatabaseProblem(new RedisOptions { GlobalMessageDatabase = messages, UserStatusDatabase = status });
        if (key is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.NotNull(problem);
            Assert.StartsWith($"Configuration key '{key}'", problem, StringComparison.Ordinal);
        }
    }

    private static int Slot(string key)
    {
        int open = key.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            int close = key.IndexOf('}', open + 1);
            if (close > open + 1)
            {
                key = key[(open + 1)..close];
            }
        }

        ushort crc = 0;
        foreach (byte b in Encoding.UTF8.GetBytes(key))
        {
            crc ^= (ushort)(b << 8);
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc % 16384;
    }
}
