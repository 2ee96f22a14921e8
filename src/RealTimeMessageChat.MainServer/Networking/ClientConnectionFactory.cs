using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Polly;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Infrastructure.Storage;
using RealTimeMessageChat.MainServer.Broadcasting;
using RealTimeMessageChat.MainServer.Options;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Networking;

/// <summary>Creates connections and holds the services they share.</summary>
internal sealed class ClientConnectionFactory(
    IOptions<MainServerOptions> options,
    IFrameCodec codec,
    JwtTokenService tokens,
    IMessageLog messageLog,
    IPresenceStore presence,
    FeedCursors cursors,
    MainServerMetrics metrics,
    ILoggerFactory loggerFactory)
{
    private long _nextId;

    public MainServerOptions Options { get; } = options.Value;

    public IFrameCodec Codec => codec;

    public JwtTokenService Tokens => tokens;

    public IMessageLog MessageLog => messageLog;

    public IPresenceStore Presence => presence;

    public FeedCursors Cursors => cursors;

    public ResiliencePipeline CatchUpRetry { get; } = ClientConnection.CreateCatchUpRetry(messageLog);

    public MainServerMetrics Metrics => metrics;

    public ILogger Logger { get; } = loggerFactory.CreateLogger<ClientConnection>();

    public string ServerId { get; set; } = string.IsNullOrEmpty(options.Value.ServerId)
        ? $"{Environment.MachineName}:{options.Value.ServerPort}"
        : options.Value.ServerId;

    public ClientConnection Create(Socket socket) => new(Interlocked.Increment(ref _nextId), socket, this);
}
