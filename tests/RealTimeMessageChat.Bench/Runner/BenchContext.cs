using System.Net;
using RealTimeMessageChat.Bench.Http;
using RealTimeMessageChat.Bench.Report;
using RealTimeMessageChat.Bench.Tcp;

namespace RealTimeMessageChat.Bench.Runner;

/// <summary>What the scenarios of one phase share: options, the API client, the users, the TCP clients and the results.</summary>
internal sealed class BenchContext : IDisposable
{
    public const int UserCount = 40;

    /// <summary>Connects in flight at once (the MainServer listens with a backlog of 512).</summary>
    public const int ConnectConcurrency = 256;

    public BenchContext(BenchOptions options, ProgressReporter progress)
    {
        Options = options;
        Progress = progress;
        Pool = new ClientPool(new IPEndPoint(IPAddress.Loopback, options.TcpPort));
    }

    public BenchOptions Options { get; }

    public ProgressReporter Progress { get; }

    public ClientPool Pool { get; }

    public List<Measurement> Results { get; } = [];

    public IReadOnlyList<BenchUser> Users { get; private set; } = [];

    public bool Quick => Options.Quick;

    /// <summary>Seconds for a timed scenario: <paramref name="full"/> normally, <paramref name="quick"/> with --quick.</summary>
    public double Seconds(double full, double quick) => Quick ? quick : full;

    /// <summary>How long a run may make no progress at all before its stragglers count as missing.</summary>
    public TimeSpan DrainTimeout => TimeSpan.FromSeconds(10);

    public async Task LoginAsync(CancellationToken cancellationToken)
    {
        using var http = new ChatHttp(Options.ApiUrl, 8);
        var users = new BenchUser[UserCount];
        await Parallel.ForEachAsync(Enumerable.Range(0, UserCount), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, ct) => users[i] = await http.EnsureUserAsync(ChatHttp.UserName(i), ct));
        Users = users;
    }

    /// <summary>Opens or closes clients to have <paramref name="count"/>; adds a note to <paramref name="into"/> if any failed.</summary>
    public async Task<ConnectOutcome> EnsureClientsAsync(int count, Measurement? into, CancellationToken cancellationToken, int toolkitEvery = 0, long toolkitStartSeq = 0)
    {
        int toOpen = Math.Max(0, count - Pool.Count), done = 0;
        ConnectOutcome outcome;
        using (Progress.Ticker(() => $"{Volatile.Read(ref done):N0} of {toOpen:N0} connects done"))
        {
            outcome = await Pool.EnsureAsync(count, Users, ConnectConcurrency, d => Volatile.Write(ref done, d), cancellationToken, toolkitEvery: toolkitEvery, toolkitStartSeq: toolkitStartSeq);
        }

        if (outcome.Failed > 0)
        {
            string note = $"{outcome.Failed:N0} of {outcome.Connected + outcome.Failed:N0} connects failed (first: {outcome.FirstFailure})";
            Progress.Info(note);
            into?.Notes.Add(note);
        }

        return outcome;
    }

    public Measurement Add(string id, string title)
    {
        var measurement = new Measurement { Id = id, Title = title };
        Results.Add(measurement);
        return measurement;
    }

    public void Dispose() => Pool.Dispose();
}
