using System.ComponentModel.DataAnnotations;
using RealTimeMessageChat.Infrastructure.Security;
using RealTimeMessageChat.Protocol;

namespace RealTimeMessageChat.MainServer.Options;

/// <summary>The MainServer's own keys of <c>config/main_server_configurations.json</c> (flat, snake_case).</summary>
internal sealed class MainServerOptions : IValidatableObject
{
    /// <summary>Address the TCP listener binds. Default 127.0.0.1.</summary>
    [ConfigurationKeyName("server_host")]
    [Required]
    public string ServerHost { get; set; } = "127.0.0.1";

    /// <summary>TCP port for clients; 0 picks a free port (tests). Default 9876.</summary>
    [ConfigurationKeyName("server_port")]
    [Range(0, 65535)]
    public int ServerPort { get; set; } = 9876;

    /// <summary>Address of the health/metrics HTTP endpoint. Default 127.0.0.1.</summary>
    [ConfigurationKeyName("health_host")]
    [Required]
    public string HealthHost { get; set; } = "127.0.0.1";

    /// <summary>Port of the health/metrics HTTP endpoint; 0 picks a free port. Default 8081.</summary>
    [ConfigurationKeyName("health_port")]
    [Range(0, 65535)]
    public int HealthPort { get; set; } = 8081;

    /// <summary>
    /// Whether clients must speak TLS (1.2 or 1.3) on <c>server_port</c>; plaintext clients are then
    /// refused at the handshake. Needs <c>ssl_certificate_path</c> and <c>ssl_key_path</c>. Default false.
    /// </summary>
    [ConfigurationKeyName("use_ssl")]
    public bool UseSsl { get; set; }

    /// <summary>PEM file with the server's certificate first, then any intermediates. Required when <c>use_ssl</c> is true; default empty.</summary>
    [ConfigurationKeyName("ssl_certificate_path")]
    public string SslCertificatePath { get; set; } = string.Empty;

    /// <summary>PEM file with the certificate's private key (unencrypted PKCS#8, RSA or EC). Required when <c>use_ssl</c> is true; default empty.</summary>
    [ConfigurationKeyName("ssl_key_path")]
    public string SslKeyPath { get; set; } = string.Empty;

    /// <summary>Minimum size of a socket read buffer, in bytes. Default 4096.</summary>
    [ConfigurationKeyName("buffer_size")]
    [Range(512, 1024 * 1024)]
    public int BufferSize { get; set; } = 4096;

    /// <summary>Largest frame payload accepted or sent, in bytes. Default 65536.</summary>
    [ConfigurationKeyName("max_frame_bytes")]
    [Range(64, 16 * 1024 * 1024)]
    public int MaxFrameBytes { get; set; } = FrameCodec.DefaultMaxPayloadSize;

    /// <summary>
    /// Whether the original C++ UserClient may connect (first byte 0xFD: the C++ toolkit's framing).
    /// Such sessions have no token: they are receive-only guests of the global room, admitted by
    /// <see cref="LegacyRegisteredKey"/> alone, as the original server admits them. Default true.
    /// </summary>
    [ConfigurationKeyName("legacy_toolkit_clients")]
    public bool LegacyToolkitClients { get; set; } = true;

    /// <summary>
    /// Whether broadcasts and replies in Message frames to C++ toolkit clients are LZ4-compressed
    /// (1 KiB chunks, as the toolkit's own encoder). Default false: the C++ client reads an
    /// uncompressed body as well, and on loopback or a LAN compression costs CPU for no gain; turn
    /// it on for clients behind a slow link. Each broadcast is still encoded once for all of them.
    /// </summary>
    [ConfigurationKeyName("legacy_toolkit_compress")]
    public bool LegacyToolkitCompress { get; set; }

    /// <summary>The <c>registered_key</c> a C++ toolkit client must send. Default "MainServer", the original's.</summary>
    [ConfigurationKeyName("legacy_registered_key")]
    [Required]
    [MinLength(1)]
    public string LegacyRegisteredKey { get; set; } = "MainServer";

    /// <summary>Connections beyond this are closed at accept. Default 10000.</summary>
    [ConfigurationKeyName("max_connections")]
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Connections one client address may hold open at once; more are refused at accept with an error frame. 0: no limit. Default 1000.</summary>
    [ConfigurationKeyName("max_connections_per_address")]
    [Range(0, 1_000_000)]
    public int MaxConnectionsPerAddress { get; set; } = 1_000;

    /// <summary>
    /// Frames a client may be behind the newest before it counts as too slow; 0 (default) leaves
    /// the bound to <c>max_backlog_bytes</c> and <c>max_backlog_age_sec</c>. Once a queue per
    /// client, now the distance between the client's cursor and the head of the room's ring.
    /// </summary>
    [ConfigurationKeyName("send_queue_capacity")]
    [Range(0, 1_000_000)]
    public int SendQueueCapacity { get; set; }

    /// <summary>
    /// Bytes of frames a client may be behind the newest before it counts as too slow. Default
    /// 4 MiB: four seconds of the heaviest paced load (1,000 msg/s of 1 KiB), far beyond a GC pause
    /// or a scheduling hiccup, and still well inside the ring (<c>ring_capacity_bytes</c>), which is
    /// shared, so a stalled client costs no memory of its own.
    /// </summary>
    [ConfigurationKeyName("max_backlog_bytes")]
    [Range(4 * 1024, 1L << 32)]
    public long MaxBacklogBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Seconds the oldest frame a client has not been sent may wait; 0 turns the check off. Default 30.</summary>
    [ConfigurationKeyName("max_backlog_age_sec")]
    [Range(0, 3600)]
    public int MaxBacklogAgeSeconds { get; set; } = 30;

    /// <summary>
    /// Frames each room's ring of encoded frames keeps (rounded up to a power of two). Default
    /// 16384: 128 KiB of slots per room; reconnects and slow readers within it are served from memory.
    /// </summary>
    [ConfigurationKeyName("ring_capacity_frames")]
    [Range(16, 1 << 24)]
    public int RingCapacityFrames { get; set; } = 16_384;

    /// <summary>Bytes of frames each room's ring keeps at most. Default 16 MiB (four times <c>max_backlog_bytes</c>).</summary>
    [ConfigurationKeyName("ring_capacity_bytes")]
    [Range(64 * 1024, 1L << 34)]
    public long RingCapacityBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Seconds an authenticated client may take to finish a frame it has started (issue 9). Default 5.</summary>
    [ConfigurationKeyName("frame_timeout_sec")]
    [Range(1, 3600)]
    public int FrameTimeoutSeconds { get; set; } = 5;

    /// <summary>Seconds a new client has to send its <c>connection</c> frame, its TLS handshake included (<c>use_ssl</c>). Default 10.</summary>
    [ConfigurationKeyName("handshake_timeout_sec")]
    [Range(1, 3600)]
    public int HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>Seconds between server pings; a client silent for three intervals is closed. Default 30.</summary>
    [ConfigurationKeyName("heartbeat_interval_sec")]
    [Range(1, 3600)]
    public int HeartbeatIntervalSeconds { get; set; } = 30;

    /// <summary>Milliseconds between polls of the Redis streams when no notification arrives. Default 100.</summary>
    [ConfigurationKeyName("poll_interval_ms")]
    [Range(1, 60_000)]
    public int PollIntervalMilliseconds { get; set; } = 100;

    /// <summary>Messages read from Redis per call by the feed, and at most per send by a client's catch-up. Default 512.</summary>
    [ConfigurationKeyName("replay_batch_size")]
    [Range(1, 100_000)]
    public int ReplayBatchSize { get; set; } = 512;

    /// <summary>
    /// What happens to a client past its backlog bounds: <c>disconnect</c> (default, CONTRACT.md) or
    /// <c>catch_up</c> (it keeps its cursor; once it falls off the ring its writer reads Redis at its pace).
    /// </summary>
    [ConfigurationKeyName("slow_client_policy")]
    public string SlowClientPolicy { get; set; } = SlowClientPolicies.Disconnect;

    /// <summary>
    /// Name recorded in presence for this process; a start nonce is always appended
    /// (<c>name#nonce</c>), so two processes never share an id. Default empty: <c>host:port</c>.
    /// </summary>
    [ConfigurationKeyName("server_id")]
    public string ServerId { get; set; } = string.Empty;

    /// <summary>
    /// Seconds a user's presence in Redis lives without renewal; the servers holding the user's
    /// sessions renew it every third of this (on the shared timer, in one batch). Default 90.
    /// </summary>
    [ConfigurationKeyName("redis_ttl_sec")]
    [Range(3, 30 * 24 * 3600)]
    public int PresenceTtlSeconds { get; set; } = 90;

    /// <summary>Seconds between this server's presence heartbeats in Redis, each followed by a sweep for dead servers. Default 5.</summary>
    [ConfigurationKeyName("server_heartbeat_sec")]
    [Range(1, 3600)]
    public int ServerHeartbeatSeconds { get; set; } = 5;

    /// <summary>
    /// Seconds after its last heartbeat a server counts as dead: a sweeper then closes its sessions
    /// and marks users offline whose last session it held. At least twice <c>server_heartbeat_sec</c>. Default 15.
    /// </summary>
    [ConfigurationKeyName("server_dead_after_sec")]
    [Range(2, 86_400)]
    public int ServerDeadAfterSeconds { get; set; } = 15;

    /// <summary>Whether clients are sent <c>user_status</c> frames. Default true.</summary>
    [ConfigurationKeyName("presence_broadcast")]
    public bool PresenceBroadcast { get; set; } = true;

    /// <summary>
    /// Milliseconds status changes are collected before they are broadcast together (the last
    /// state per user wins; a window's frames are encoded once and shared). Default 200.
    /// </summary>
    [ConfigurationKeyName("presence_broadcast_window_ms")]
    [Range(10, 10_000)]
    public int PresenceBroadcastWindowMilliseconds { get; set; } = 200;

    /// <summary>
    /// Seconds a room membership answer (member or not) is cached before PostgreSQL is asked again;
    /// a change announced on the control channel drops the entry at once. 0 asks every time. Default 30.
    /// </summary>
    [ConfigurationKeyName("room_membership_cache_sec")]
    [Range(0, 86_400)]
    public int RoomMembershipCacheSeconds { get; set; } = 30;

    /// <summary>Rooms besides the global one a connection may receive at once (handshake <c>rooms</c> plus <c>join</c>). Default 100.</summary>
    [ConfigurationKeyName("max_rooms_per_connection")]
    [Range(0, 10_000)]
    public int MaxRoomsPerConnection { get; set; } = 100;

    /// <summary>
    /// Frames a room other than the global one keeps in its ring (rounded up to a power of two; the
    /// slot array is allocated when the server starts following the room). Catch-up beyond it reads
    /// Redis, then PostgreSQL. Default 1024.
    /// </summary>
    [ConfigurationKeyName("room_ring_capacity_frames")]
    [Range(16, 1 << 20)]
    public int RoomRingCapacityFrames { get; set; } = 1024;

    /// <summary>Bytes of frames a room other than the global one keeps in its ring at most. Default 4194304 (4 MiB).</summary>
    [ConfigurationKeyName("room_ring_capacity_bytes")]
    [Range(64 * 1024, 1L << 34)]
    public long RoomRingCapacityBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>
    /// Milliseconds between two <c>typing</c> indicators of one user in one room that this server
    /// relays; one sent sooner is dropped silently (counted). 0 relays every one. Default 2000.
    /// </summary>
    [ConfigurationKeyName("typing_min_interval_ms")]
    [Range(0, 60_000)]
    public int TypingMinIntervalMilliseconds { get; set; } = 2000;

    /// <summary>Seconds a graceful stop waits for clients to receive their queued frames. Default 5.</summary>
    [ConfigurationKeyName("shutdown_timeout_sec")]
    [Range(0, 600)]
    public int ShutdownTimeoutSeconds { get; set; } = 5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!System.Net.IPAddress.TryParse(ServerHost, out _))
        {
            yield return new ValidationResult($"Configuration key 'server_host': '{ServerHost}' is not an IP address.", [nameof(ServerHost)]);
        }

        if (!System.Net.IPAddress.TryParse(HealthHost, out _))
        {
            yield return new ValidationResult($"Configuration key 'health_host': '{HealthHost}' is not an IP address.", [nameof(HealthHost)]);
        }

        if (MaxBacklogBytes > RingCapacityBytes)
        {
            yield return new ValidationResult(
                $"Configuration key 'max_backlog_bytes': {MaxBacklogBytes} is larger than 'ring_capacity_bytes' ({RingCapacityBytes}); a client would fall off the ring before it counts as slow.",
                [nameof(MaxBacklogBytes)]);
        }

        // The files are read here, at start, so a missing file or a key that does not fit stops the
        // process with the key named, rather than failing every handshake later.
        if (UseSsl && TlsServerContext.Check(SslCertificatePath, SslKeyPath) is { } tlsError)
        {
            yield return new ValidationResult(tlsError, [nameof(SslCertificatePath)]);
        }

        if (ServerDeadAfterSeconds < 2 * ServerHeartbeatSeconds)
        {
            yield return new ValidationResult(
                $"Configuration key 'server_dead_after_sec': {ServerDeadAfterSeconds} is less than twice 'server_heartbeat_sec' ({ServerHeartbeatSeconds}); one late heartbeat would get a live server swept.",
                [nameof(ServerDeadAfterSeconds)]);
        }

        if (SlowClientPolicy is not (SlowClientPolicies.Disconnect or SlowClientPolicies.CatchUp))
        {
            yield return new ValidationResult(
                $"Configuration key 'slow_client_policy': '{SlowClientPolicy}' is not one of '{SlowClientPolicies.Disconnect}', '{SlowClientPolicies.CatchUp}'.",
                [nameof(SlowClientPolicy)]);
        }
    }
}
