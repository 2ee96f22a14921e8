using System.Globalization;
using System.Security.Cryptography;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Security;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace RealTimeMessageChat.IntegrationTests.Harness;

/// <summary>
/// The whole system as real processes on free ports, pointed at the <see cref="ITestServices"/> and
/// isolated from other systems on the same servers: its own Redis databases, RabbitMQ queue,
/// PostgreSQL database and JWT secret. On a Redis Cluster (<see cref="ClusterRedis"/>), which has only
/// database 0, the isolation is in time instead: every master is flushed when a system starts, and
/// the end-to-end tests run one at a time (<see cref="EndToEndCollection"/>).
/// </summary>
public sealed class ChatSystem : IAsyncDisposable
{
    private static int s_nextDatabasePair;

    private readonly Dictionary<string, string> _common;
    private readonly List<AppProcess> _processes = [];

    private ChatSystem(ITestServices services, RedisEndpoint? cluster, string id, int messageDb, int statusDb, string database, string queue)
    {
        Services = services;
        Cluster = cluster;
        Redis = cluster ?? services.Redis;
        Id = id;
        MessageDatabase = messageDb;
        StatusDatabase = statusDb;
        Database = database;
        Queue = queue;
        LogDirectory = Path.Combine(Path.GetTempPath(), "rtmc-e2e", id);
        _common = new Dictionary<string, string>
        {
            ["RTMC_CONFIG_DIR"] = RepositoryPaths.ConfigDirectory,
            ["RTMC_LOG_ROOT_PATH"] = LogDirectory,
            ["RTMC_LOG_TO_CONSOLE"] = "true",
            ["RTMC_JWT_SECRET"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
            ["RTMC_REDIS_HOST"] = Redis.Host,
            ["RTMC_REDIS_PORT"] = Redis.Port.ToString(CultureInfo.InvariantCulture),
            ["RTMC_REDIS_PASSWORD"] = Redis.Password,
            ["RTMC_RABBITMQ_HOST"] = services.RabbitMq.Host,
            ["RTMC_RABBITMQ_PORT"] = services.RabbitMq.Port.ToString(CultureInfo.InvariantCulture),
            ["RTMC_RABBITMQ_USER"] = services.RabbitMq.User,
            ["RTMC_RABBITMQ_PASSWORD"] = services.RabbitMq.Password,
            ["RTMC_POSTGRES_HOST"] = services.Postgres.Host,
            ["RTMC_POSTGRES_PORT"] = services.Postgres.Port.ToString(CultureInfo.InvariantCulture),
            ["RTMC_POSTGRES_USER"] = services.Postgres.User,
            ["RTMC_POSTGRES_PASSWORD"] = services.Postgres.Password,
            ["RTMC_POSTGRES_DATABASE"] = database,
            ["RTMC_REDIS_DB_GLOBAL_MESSAGE_INDEX"] = messageDb.ToString(CultureInfo.InvariantCulture),
            ["RTMC_REDIS_DB_USER_STATUS_INDEX"] = statusDb.ToString(CultureInfo.InvariantCulture),
            ["RTMC_PUBLISH_QUEUE_NAME"] = queue,
            ["RTMC_CONSUME_QUEUE_NAME"] = queue,
            // Fast heartbeats keep restart tests short; the contract's default is 30 s.
            ["RTMC_POLL_INTERVAL_MS"] = "100",
        };
    }

    public ITestServices Services { get; }

    /// <summary>The Redis Cluster this system runs on, or null for the services' single Redis.</summary>
    public RedisEndpoint? Cluster { get; }

    /// <summary>The Redis the apps use: one node of <see cref="Cluster"/>, or the single Redis.</summary>
    public RedisEndpoint Redis { get; }

    public string Id { get; }

    public int MessageDatabase { get; }

    /// <summary>The user-status database (presence, sessions); 0 on a cluster, like <see cref="MessageDatabase"/>.</summary>
    public int StatusDatabase { get; }

    public string Database { get; }

    public string Queue { get; }

    public string LogDirectory { get; }

    public int RestApiPort { get; private set; }

    public string RestApiUrl => $"{(TlsCaPath is null ? "http" : "https")}://127.0.0.1:{RestApiPort}";

    /// <summary>The local CA when every hop uses TLS (RTMC_USE_SSL=true), else null.</summary>
    public string? TlsCaPath { get; private set; }

    public AppProcess? RestApi { get; private set; }

    public AppProcess? Consumer { get; private set; }

    public int ConsumerHealthPort { get; private set; }

    public List<MainServerInstance> MainServers { get; } = [];

    public IReadOnlyDictionary<string, string> CommonEnvironment => _common;

    /// <summary>Prepares storage of its own on <paramref name="services"/> and starts RestApi, the consumer and <paramref name="mainServers"/> MainServers.</summary>
    /// <param name="services">The Redis, RabbitMQ and PostgreSQL to use.</param>
    /// <param name="cancellationToken">Ends the wait for the processes to be ready.</param>
    /// <param name="mainServers">How many MainServers (0: the caller starts its own).</param>
    /// <param name="environment">Settings for every process, over the defaults above.</param>
    /// <param name="redisCluster">A Redis Cluster to use instead of the services' Redis (<see cref="ClusterRedis.Require"/>).</param>
    public static async Task<ChatSystem> StartAsync(ITestServices services, CancellationToken cancellationToken, int mainServers = 1, IReadOnlyDictionary<string, string>? environment = null, RedisEndpoint? redisCluster = null)
    {
        string id = Guid.NewGuid().ToString("N")[..10];

        // Databases 2..15 in pairs (messages, status); 0 and 1 stay for ./build.sh run and unit tests.
        // A cluster has database 0 only.
        int pair = Interlocked.Increment(ref s_nextDatabasePair) % 7;
        var system = redisCluster is null
            ? new ChatSystem(services, null, id, 2 + (pair * 2), 3 + (pair * 2), "e2e_" + id, "e2e_queue_" + id)
            : new ChatSystem(services, redisCluster, id, 0, 0, "e2e_" + id, "e2e_queue_" + id);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            system._common[key] = value;
        }

        // TLS on every hop (the tls instance): the harness's own connections use it too.
        if (system._common.GetValueOrDefault("RTMC_USE_SSL") == "true")
        {
            system.TlsCaPath = system._common["RTMC_SSL_CA_PATH"];
        }

        await system.PrepareStorageAsync(cancellationToken);
        try
        {
            await system.StartAppsAsync(mainServers, cancellationToken);
        }
        catch
        {
            // A child that failed to start fails the test; the ones that did start must not
            // outlive it (they would hold ports, and whatever the test runner's parent holds open).
            await system.DisposeAsync();
            throw;
        }

        return system;
    }

    private async Task StartAppsAsync(int mainServers, CancellationToken cancellationToken)
    {
        RestApiPort = FreePort.Next();
        RestApi = Launch("RestApi", new() { ["RTMC_SERVER_PORT"] = $"{RestApiPort}" });
        int consumerHealth = ConsumerHealthPort = FreePort.Next();
        Consumer = Launch("MainServerConsumer", new() { ["RTMC_HEALTH_PORT"] = $"{consumerHealth}" });
        var ready = new List<Task>
        {
            RestApi.WaitUntilReadyAsync($"{RestApiUrl}/health/ready", cancellationToken, TlsCaPath),
            Consumer.WaitUntilReadyAsync($"http://127.0.0.1:{consumerHealth}/health/ready", cancellationToken),
        };
        for (int i = 0; i < mainServers; i++)
        {
            ready.Add(StartMainServerAsync(cancellationToken));
        }

        await Task.WhenAll(ready);
    }

    /// <summary>Starts another MainServer on the same Redis, on new ports (or on <paramref name="tcpPort"/> when restarting).</summary>
    public async Task<MainServerInstance> StartMainServerAsync(CancellationToken cancellationToken, int? tcpPort = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        int port = tcpPort ?? FreePort.Next();
        int health = FreePort.Next();
        var overrides = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["RTMC_SERVER_PORT"] = $"{port}",
            ["RTMC_HEALTH_PORT"] = $"{health}",
        };
        AppProcess process = Launch("MainServer", overrides);
        var instance = new MainServerInstance(process, port, health);
        lock (MainServers)
        {
            MainServers.Add(instance);
        }

        await process.WaitUntilReadyAsync($"http://127.0.0.1:{health}/health/ready", cancellationToken);
        return instance;
    }

    public AppProcess Launch(string app, Dictionary<string, string> overrides, string arguments = "", bool redirectInput = false)
    {
        var environment = new Dictionary<string, string>(_common);
        foreach (var (key, value) in overrides)
        {
            environment[key] = value;
        }

        AppProcess process = AppProcess.Start(app, environment, arguments, redirectInput);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>SIGTERM to every process still running; returns name → exit code.</summary>
    public async Task<IReadOnlyDictionary<string, int>> StopAllAsync()
    {
        List<AppProcess> running;
        lock (_processes)
        {
            running = _processes.Where(p => !p.HasExited).ToList();
        }

        int[] codes = await Task.WhenAll(running.Select(p => p.StopAsync(TimeSpan.FromSeconds(20))));
        return running.Select((p, i) => (Key: $"{p.Name}#{p.Id}", Code: codes[i])).ToDictionary(p => p.Key, p => p.Code);
    }

    public string Tails()
    {
        lock (_processes)
        {
            return string.Join(Environment.NewLine, _processes.Select(p => p.Tail(25)));
        }
    }

    public async Task<IDatabase> RedisAsync()
    {
        var redis = await ConnectRedisAsync();
        _redis.Add(redis);
        return redis.GetDatabase(MessageDatabase);
    }

    private readonly List<ConnectionMultiplexer> _redis = [];

    public NpgsqlConnection OpenDatabase()
    {
        var connection = new NpgsqlConnection(PostgresConnectionString(Database));
        connection.Open();
        return connection;
    }

    public Task<IConnection> ConnectRabbitMqAsync(CancellationToken cancellationToken) => new ConnectionFactory
    {
        HostName = Services.RabbitMq.Host,
        Port = Services.RabbitMq.Port,
        UserName = Services.RabbitMq.User,
        Password = Services.RabbitMq.Password,
        Ssl = new SslOption
        {
            Enabled = TlsCaPath is not null,
            ServerName = Services.RabbitMq.Host,
            CertificateValidationCallback = TlsTrust.Callback(TlsCaPath),
        },
    }.CreateConnectionAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        List<AppProcess> all;
        lock (_processes)
        {
            all = [.. _processes];
        }

        foreach (AppProcess process in all)
        {
            await process.DisposeAsync();
        }

        foreach (ConnectionMultiplexer redis in _redis)
        {
            redis.Dispose();
        }
    }

    private async Task PrepareStorageAsync(CancellationToken cancellationToken)
    {
        using (ConnectionMultiplexer redis = await ConnectRedisAsync())
        {
            if (Cluster is null)
            {
                IServer server = redis.GetServer(Redis.Host, Redis.Port);
                await server.FlushDatabaseAsync(MessageDatabase);
                await server.FlushDatabaseAsync(StatusDatabase);
            }
            else
            {
                IServer[] masters = [.. redis.GetServers().Where(s => s.IsConnected && !s.IsReplica)];
                Assert.True(masters.Length >= 3, $"the Redis Cluster at {Redis.Host}:{Redis.Port} shows {masters.Length} connected masters, not 3");
                Assert.All(masters, m => Assert.Equal(ServerType.Cluster, m.ServerType));
                await Task.WhenAll(masters.Select(m => m.FlushDatabaseAsync(0)));
            }
        }

        await using var admin = new NpgsqlConnection(PostgresConnectionString(Services.Postgres.Database));
        await admin.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Database}\"", admin);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    private Task<ConnectionMultiplexer> ConnectRedisAsync()
    {
        var options = new ConfigurationOptions
        {
            EndPoints = { { Redis.Host, Redis.Port } },
            Password = Redis.Password,
            AllowAdmin = true,
        };
        if (TlsCaPath is not null)
        {
            options.Ssl = true;
            options.SslHost = Redis.Host;
            options.CertificateValidation += TlsTrust.Callback(TlsCaPath);
        }

        return ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Connection string to <paramref name="database"/> as the services' superuser.</summary>
    private string PostgresConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Services.Postgres.Host,
        Port = Services.Postgres.Port,
        Username = Services.Postgres.User,
        Password = Services.Postgres.Password,
        Database = database,
        Pooling = false,
        SslMode = TlsCaPath is null ? SslMode.Prefer : SslMode.VerifyFull,
        RootCertificate = TlsCaPath,
    }.ConnectionString;
}

/// <summary>One MainServer process and its ports.</summary>
public sealed record MainServerInstance(AppProcess Process, int TcpPort, int HealthPort);
