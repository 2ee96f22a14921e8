using System.Buffers.Binary;
using System.Text.Json;
using RealTimeMessageChat.Contracts;
using RealTimeMessageChat.Contracts.Tcp;

namespace RealTimeMessageChat.Bench.Tcp;

/// <summary>A registered account, its token, and its <c>connection</c> frame (built once, shared by every socket of the user).</summary>
internal sealed class BenchUser
{
    public BenchUser(string userId, string token)
    {
        UserId = userId;
        Token = token;
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(
            new ConnectRequest { Command = "connection", Id = userId, Token = token, SubId = string.Empty },
            ContractsJsonContext.Default.ConnectRequest);
        var frame = new byte[4 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, json.Length);
        json.CopyTo(frame, 4);
        ConnectFrame = frame;
    }

    public string UserId { get; }

    public string Token { get; }

    public byte[] ConnectFrame { get; }
}
