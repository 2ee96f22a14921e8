using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Npgsql;

namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>One fault as it happened: publishes unanswered when it struck, attempts retried until delivery was whole again, how long it lasted and took.</summary>
public sealed record FaultResult(string Fault, int InFlightAtFault, long Retried, double LastedSeconds, double RecoveredSeconds, string? Problem);

public sealed record ChaosReport(ChaosProfile Profile, IReadOnlyList<FaultResult> Faults, ChaosVerdict Verdict, int UnexpectedAnswers, string Text)
{
    public bool Passed => Verdict.Passed && UnexpectedAnswers == 0 && Faults.All(f => f.Problem is null);
}

/// <summary>
/// The fault run (issue 9): the whole system on the <c>chaos</c> servers, two MainServers (the second
/// reaches Redis through a <see cref="PartitionProxy"/>), a publish load with many requests in
/// flight, clients that reconnect with <c>last_seq</c>; then every fault of the schedule, one at a
/// time, each followed by a wait until a message accepted after it has reached every client. At the
/// end the load stops, delivery and storage drain, and <see cref="ChaosChecker"/> gives the verdict.
/// </summary>
public sealed class ChaosRun
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(90);

    private readonly ChaosProfile _profile;
    private readonly List<FaultResult> _faults = [];
    private readonly Action<string> _log;
    private InstanceServices _services = null!;
    private ChatSystem _system = null!;
    private PartitionProxy _proxy = null!;
    private PublishLedger _ledger = null!;
    private PublishLoad _load = null!;
    private List<ChaosReceiver> _receivers = [];
    private AppSlot _restApi = null!;
    private AppSlot _consumer = null!;
    private AppSlot _serverA = null!;
    private AppSlot _serverB = null!;
    private int[] _tcpPorts = [];

    private ChaosRun(ChaosProfile profile, Action<string> log)
    {
        _profile = profile;
        _log = log;
    }

    public static async Task<ChaosReport> RunAsync(ChaosProfile profile, Action<string> log, CancellationToken cancellationToken)
    {
        var run = new ChaosRun(profile, log);
        var clock = Stopwatch.StartNew();
        // Durable, with Redis' append-only file fsynced on every write: what a server acknowledged
        // must survive its kill -9, or a loss would be the setting's and not ours.
        await using InstanceServices services = await InstanceServices.StartAsync(
            "chaos", new Dictionary<string, string> { ["RTMC_REDIS_APPENDFSYNC"] = "always" }, cancellationToken);
        run._services = services;
        await using var proxy = new PartitionProxy(new IPEndPoint(IPAddress.Loopback, services.Endpoints.Redis.Port));
        run._proxy = proxy;
        var environment = new Dictionary<string, string>
        {
            // The load is ours and bounded; the per-user limit is tested elsewhere.
            ["RTMC_RATE_LIMIT_PER_SECOND"] = "1000000",
            ["RTMC_RATE_LIMIT_BURST"] = "1000000",
        };
        await using ChatSystem system = await ChatSystem.StartAsync(services.Endpoints, cancellationToken, mainServers: 0, environment);
        run._system = system;
        try
        {
            return await run.RunAsync(clock, cancellationToken);
        }
        catch
        {
            log(system.Tails());
            throw;
        }
        finally
        {
            foreach (ChaosReceiver receiver in run._receivers)
            {
                await receiver.DisposeAsync();
            }

            if (run._load is not null)
            {
                await run._load.DisposeAsync();
            }
        }
    }

    private async Task<ChaosReport> RunAsync(Stopwatch clock, CancellationToken ct)
    {
        _restApi = new AppSlot(_system, "RestApi", "RestApi", new() { ["RTMC_SERVER_PORT"] = $"{_system.RestApiPort}" }, $"{_system.RestApiUrl}/health/ready", _system.RestApi!);
        _consumer = new AppSlot(_system, "MainServerConsumer", "MainServerConsumer", new() { ["RTMC_HEALTH_PORT"] = $"{_system.ConsumerHealthPort}" }, $"http://127.0.0.1:{_system.ConsumerHealthPort}/health/ready", _system.Consumer!);
        _tcpPorts = [FreePort.Next(), FreePort.Next()];
        _serverA = await StartMainServerAsync("MainServer A", _tcpPorts[0], redisPort: null, ct);
        _serverB = await StartMainServerAsync("MainServer B", _tcpPorts[1], _proxy.Port, ct);

        using var api = new ChatApi(_system.RestApiUrl);
        string password = "pw-" + Guid.NewGuid().ToString("N");
        int users = Math.Max(_profile.Publishers, _profile.Clients);
        var accounts = new List<(string User, string Token)>();
        for (int i = 0; i < users; i++)
        {
            string user = $"chaos{i}_{_system.Id}";
            accounts.Add((user, await api.RegisterAndLoginAsync(user, password, ct)));
        }

        _receivers = [.. accounts.Take(_profile.Clients).Select((a, i) => new ChaosReceiver(a.User, a.Token, i % 2, () => _tcpPorts))];
        await WaitUntilAsync(() => _receivers.All(r => r.IsConnected), TimeSpan.FromSeconds(30), "every client connected", ct);

        _ledger = new PublishLedger();
        _load = new PublishLoad(_system.RestApiUrl, _ledger, accounts.Take(_profile.Publishers).ToList(), _profile.InFlightPerPublisher, _profile.Interval);
        await Task.Delay(_profile.Settle, ct);

        for (int round = 1; round <= _profile.Rounds; round++)
        {
            await FaultAsync("kill -9 MainServerConsumer", () => KillAndRestartAsync(_consumer, ct), ct);
            await FaultAsync("kill -9 MainServer A (clients on it)", () => KillAndRestartAsync(_serverA, ct), ct);
            await FaultAsync("kill -9 RestApi (publishes in flight)", () => KillAndRestartAsync(_restApi, ct), ct);
            await FaultAsync("kill -9 Redis (appendfsync always)", () => KillServerAsync(ServiceKind.Redis, ct), ct);
            await FaultAsync("kill -9 RabbitMQ", () => KillServerAsync(ServiceKind.RabbitMq, ct), ct);
            await FaultAsync("kill -9 PostgreSQL", () => KillServerAsync(ServiceKind.Postgres, ct), ct);
            await FaultAsync($"partition MainServer B | Redis {_profile.Partition.TotalSeconds:0} s", () => PartitionAsync(ct), ct);
            foreach (AppSlot slot in new[] { _consumer, _serverA, _serverB, _restApi })
            {
                await FaultAsync($"SIGTERM {slot.Name}", () => TerminateAndRestartAsync(slot, ct), ct);
            }
        }

        _log($"faults done after {clock.Elapsed.TotalSeconds:0} s; stopping the load and draining");
        await _load.StopAsync();
        List<Guid> owed = [.. _ledger.Outcomes.Where(o => o.Value == PublishOutcome.Accepted).Select(o => o.Key)];
        await WaitUntilAsync(() => _receivers.All(r => r.HasAll(owed)), RecoveryLimit, "every accepted message at every client", ct, throwOnTimeout: false);
        await WaitUntilAsync(() => StoredCount() >= owed.Count, RecoveryLimit, "every accepted message stored", ct, throwOnTimeout: false);

        // A duplicate would come late, after the original: give it the time to show.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        foreach (AppSlot slot in new[] { _restApi, _consumer, _serverA, _serverB })
        {
            if (slot.Current.HasExited)
            {
                _faults.Add(new FaultResult($"{slot.Name} still running at the end", 0, 0, 0, 0, $"exited with {slot.Current.ExitCode}"));
            }
        }

        ChaosVerdict verdict = ChaosChecker.Check(
            _ledger.Outcomes,
            [.. _receivers.Select(r => (r.User, (IReadOnlyList<(long, Guid)>)r.Snapshot()))],
            ReadStored());
        int reconnects = _receivers.Sum(r => r.Connections - 1);
        string text = Describe(verdict, reconnects, clock.Elapsed.TotalSeconds);
        return new ChaosReport(_profile, _faults, verdict, _ledger.UnexpectedAnswers, text);
    }

    private async Task<AppSlot> StartMainServerAsync(string name, int tcpPort, int? redisPort, CancellationToken ct)
    {
        int health = FreePort.Next();
        var environment = new Dictionary<string, string> { ["RTMC_SERVER_PORT"] = $"{tcpPort}", ["RTMC_HEALTH_PORT"] = $"{health}" };
        if (redisPort is int port)
        {
            environment["RTMC_REDIS_PORT"] = $"{port}";
        }

        return await AppSlot.StartAsync(_system, name, "MainServer", environment, $"http://127.0.0.1:{health}/health/ready", ct);
    }

    /// <summary>Runs one fault, then waits until a message accepted since it began has reached every client.</summary>
    private async Task FaultAsync(string fault, Func<Task<string?>> inject, CancellationToken ct)
    {
        await _load.WaitForBurstAsync();
        int inFlight = _load.InFlight;
        long failedBefore = _load.FailedAttempts;
        long started = Stopwatch.GetTimestamp();
        string? problem;
        try
        {
            problem = await inject();
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            problem = $"{e.GetType().Name}: {e.Message}";
        }

        double lasted = Stopwatch.GetElapsedTime(started).TotalSeconds;
        bool recovered = await WaitUntilAsync(
            () => _ledger.AcceptedAfter(started, 20) is { Count: > 0 } ids && ids.Any(id => _receivers.All(r => r.Has(id))),
            RecoveryLimit,
            "delivery after " + fault,
            ct,
            throwOnTimeout: false);
        double recoveredIn = Stopwatch.GetElapsedTime(started).TotalSeconds;
        if (!recovered)
        {
            problem ??= $"no message accepted since the fault reached every client within {RecoveryLimit.TotalSeconds:0} s ({string.Join("; ", _receivers.Where(r => !r.IsConnected).Select(r => $"{r.User}: {r.LastError}"))})";
        }

        long retried = _load.FailedAttempts - failedBefore;
        _faults.Add(new FaultResult(fault, inFlight, retried, lasted, recoveredIn, problem));
        _log($"{fault}: {inFlight} in flight, {retried} attempts retried, done in {lasted:0.0} s, whole again after {recoveredIn:0.0} s{(problem is null ? string.Empty : " PROBLEM: " + problem)}");
        await Task.Delay(_profile.Settle, ct);
    }

    private static async Task<string?> KillAndRestartAsync(AppSlot slot, CancellationToken ct)
    {
        await slot.Current.KillAsync();
        await slot.RestartAsync(ct);
        return null;
    }

    private static async Task<string?> TerminateAndRestartAsync(AppSlot slot, CancellationToken ct)
    {
        int code = await slot.Current.StopAsync(TimeSpan.FromSeconds(30));
        await slot.RestartAsync(ct);
        return code == 0 ? null : $"SIGTERM: exited with {code} (-1: still running after 30 s), not 0";
    }

    private async Task<string?> KillServerAsync(ServiceKind server, CancellationToken ct)
    {
        _services.Kill(server);

        // Time for every client of it to notice, before the supervisor (the script) restarts it.
        await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        await _services.RestartAsync(ct);
        return null;
    }

    private async Task<string?> PartitionAsync(CancellationToken ct)
    {
        _proxy.Partition();
        await Task.Delay(_profile.Partition, ct);
        _proxy.Heal();
        return _serverB.Current.HasExited ? $"MainServer B exited with {_serverB.Current.ExitCode} during the partition" : null;
    }

    private long StoredCount()
    {
        try
        {
            using NpgsqlConnection connection = _system.OpenDatabase();
            using var command = new NpgsqlCommand("SELECT count(*) FROM messages", connection);
            return (long)command.ExecuteScalar()!;
        }
        catch (NpgsqlException)
        {
            return 0;
        }
    }

    private List<(long Seq, Guid Id)> ReadStored()
    {
        using NpgsqlConnection connection = _system.OpenDatabase();
        using var command = new NpgsqlCommand("SELECT seq, message_id FROM messages WHERE room = '' ORDER BY seq", connection);
        using NpgsqlDataReader reader = command.ExecuteReader();
        var stored = new List<(long, Guid)>();
        while (reader.Read())
        {
            stored.Add((reader.GetInt64(0), reader.GetGuid(1)));
        }

        return stored;
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what, CancellationToken ct, bool throwOnTimeout = true)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > limit)
            {
                return throwOnTimeout ? throw new TimeoutException($"not reached within {limit.TotalSeconds:0} s: {what}") : false;
            }

            await Task.Delay(100, ct);
        }

        return true;
    }

    private string Describe(ChaosVerdict verdict, int reconnects, double seconds)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"chaos run ({_profile.Name}): {_profile.Rounds} round(s), {_faults.Count} faults, {seconds:0} s; {_profile.Publishers} publishing users, {_profile.InFlight} publishes sent together every {_profile.Interval.TotalMilliseconds:0} ms, {_receivers.Count} clients on 2 MainServers");
        text.AppendLine(inv, $"{"fault",-40} {"in flight",9} {"retried",8} {"lasted",7} {"whole again",11}  problem");
        foreach (FaultResult fault in _faults)
        {
            text.AppendLine(inv, $"{fault.Fault,-40} {fault.InFlightAtFault,9} {fault.Retried,8} {fault.LastedSeconds,6:0.0}s {fault.RecoveredSeconds,10:0.0}s  {fault.Problem ?? "-"}");
        }

        text.AppendLine(inv, $"messages: published {_load.Published}, accepted {verdict.Accepted}, unanswered {verdict.Uncertain} (of which delivered {verdict.UncertainDelivered}), refused with 503 {verdict.Refused}, stored {verdict.Stored}; client reconnects {reconnects}; answers a valid publish must not get: {_ledger.UnexpectedAnswers}{(_ledger.FirstUnexpectedAnswer is { } first ? $" (first: {first})" : string.Empty)}");
        foreach (string example in verdict.Examples)
        {
            text.AppendLine("  " + example);
        }

        text.Append(verdict.Summary);
        return text.ToString();
    }
}
