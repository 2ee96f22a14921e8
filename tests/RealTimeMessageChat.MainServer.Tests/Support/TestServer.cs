using RealTimeMessageChat.TestUtilities.Sessions;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Sessions;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Networking;
using RealTimeMessageChat.MainServer.Rooms;
using RealTimeMessageChat.Infrastructure.Rooms;

namespace RealTimeMessageChat.MainServer.Tests.Support;

/// <summary>The real MainServer services on 127.0.0.1 port 0, with in-memory storage and a runtime JWT secret.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly IHost _host;

    private TestServer(IHost host, FakeMessageLog log, FakePresenceStore presence, FakePresenceRepository presenceRows)
    {
        _host = host;
        Log = log;
        Presence = presence;
        PresenceRows = presenceRows;
        EndPoint = host.Services.GetRequiredService<TcpListenerService>().BoundEndPoint!;
    }

    public FakeMessageLog Log { get; }

    public FakePresenceStore Presence { get; }

    public FakePresenceRepository PresenceRows { get; }

    public IPEndPoint EndPoint { get; }

    public IServiceProvider Services => _host.Services;

    public InMemorySessionStore Sessions => (InMemorySessionStore)Services.GetRequiredService<ISessionStore>();

    public ConnectionRegistry Registry => Services.GetRequiredService<ConnectionRegistry>();

    public FakeRoomMembership Members => (FakeRoomMembership)Services.GetRequiredService<IRoomMembership>();

    public FakeReadReceipts Reads => (FakeReadReceipts)Services.GetRequiredService<IReadReceipts>();

    public RoomDirectory Rooms => Services.GetRequiredService<RoomDirectory>();

    public static async Task<TestServer> StartAsync(
        CancellationToken cancellationToken,
        IDictionary<string, string?>? settings = null,
        FakeMessageLog? log = null,
        FakePresenceStore? presence = null,
        FakeRoomMembership? members = null,
        LoopbackTypingRelay? typing = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["server_host"] = "127.0.0.1",
            ["server_port"] = "0",
            ["jwt_secret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)),
            ["poll_interval_ms"] = "50",
            ["send_queue_capacity"] = "1024",
            ["handshake_timeout_sec"] = "10",
            ["heartbeat_interval_sec"] = "30",
            ["shutdown_timeout_sec"] = "2",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        log ??= new FakeMessageLog();
        presence ??= new FakePresenceStore();
        var presenceRows = new FakePresenceRepository();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddMainServerCore(builder.Configuration);
        builder.Services.AddSingleton<IMessageLog>(log);
        builder.Services.AddSingleton<IMessageArchive>(new FakeMessageArchive());
        builder.Services.AddSingleton<IPresenceStore>(presence);
        builder.Services.AddSingleton<IPresenceRepository>(presenceRows);
        var sessions = new InMemorySessionStore();
        builder.Services.AddSingleton<ISessionStore>(sessions);
        builder.Services.AddSingleton<IModerationEvents>(sessions);
        builder.Services.AddSingleton<IRoomMembership>(members ?? new FakeRoomMembership());
        builder.Services.AddSingleton<IReadReceipts>(new FakeReadReceipts());
        builder.Services.AddSingleton<ITypingRelay>(typing ?? new LoopbackTypingRelay());
        IHost host = builder.Build();
        await host.StartAsync(cancellationToken);
        await host.Services.GetRequiredService<RoomDirectory>().Ready.WaitAsync(cancellationToken);
        return new TestServer(host, log, presence, presenceRows);
    }

    /// <summary>A token with its login session stored, as the RestApi's login makes one.</summary>
    public string IssueToken(string userId) => IssueSession(userId).Token;

    public IssuedToken IssueSession(string userId)
    {
        IssuedToken token = Services.GetRequiredService<JwtTokenService>().Issue(userId);
        Sessions.Add(new LoginSession(token.TokenId, userId, DateTimeOffset.UtcNow, token.ExpiresAt, "test"));
        return token;
    }

    /// <summary>A connected and authenticated client (the connect reply already read).</summary>
    public async Task<TestClient> ConnectClientAsync(string userId, CancellationToken cancellationToken, long? lastSeq = null, int? receiveBufferSize = null) =>
        await AuthenticateAsync(await TestClient.OpenAsync(EndPoint, cancellationToken, receiveBufferSize), userId, cancellationToken, lastSeq);

    /// <summary>Sends the connection frame on an open client and checks the reply.</summary>
    public async Task<TestClient> AuthenticateAsync(TestClient client, string userId, CancellationToken cancellationToken, long? lastSeq = null)
    {
        await client.SendConnectAsync(userId, IssueToken(userId), cancellationToken, lastSeq);
        var reply = await client.ReadFrameAsync(cancellationToken);
        if (reply.GetProperty("command").GetString() != "connection" || !reply.GetProperty("condition").GetBoolean())
        {
            throw new InvalidOperationException($"Handshake failed: {reply}");
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(stop.Token);
        _host.Dispose();
    }
}
