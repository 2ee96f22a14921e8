using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>
/// Publishes through the API from several users with many requests in flight, as clients that care
/// about their messages do: each message has its own <c>message_id</c>, and an attempt that timed
/// out, lost its connection or got 503 is retried with the same id until it gets 202 or its
/// deadline passes. The API's idempotency makes the retry safe; the checker holds it to that.
/// Every slot fires on one shared tick, so the requests are in flight together, in bursts a fault
/// can be aimed at (<see cref="WaitForBurstAsync"/>), at a rate the two cores can share.
/// </summary>
public sealed class PublishLoad : IAsyncDisposable
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MessageDeadline = TimeSpan.FromSeconds(90);

    private readonly HttpClient _http;
    private readonly PublishLedger _ledger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private readonly int _slots;
    private readonly Task _ticker;
    private volatile TaskCompletionSource _tick = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _published;
    private long _failedAttempts;
    private int _inFlight;

    public PublishLoad(string baseUrl, PublishLedger ledger, IReadOnlyList<(string User, string Token)> users, int workersPerUser, TimeSpan interval)
    {
        _slots = users.Count * workersPerUser;
        _ledger = ledger;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, ConnectTimeout = TimeSpan.FromSeconds(2) })
        {
            BaseAddress = new Uri(baseUrl),
            Timeout = AttemptTimeout,
        };
        foreach (var (user, token) in users)
        {
            for (int w = 0; w < workersPerUser; w++)
            {
                string worker = $"{user}/{w}";
                _workers.Add(Task.Run(() => WorkAsync(worker, token)));
            }
        }

        _ticker = Task.Run(() => TickAsync(interval));
    }

    public long Published => Interlocked.Read(ref _published);

    /// <summary>Messages sent and not yet answered 202 (or given up): what a fault now can catch.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Attempts that got no 202 (timeout, broken connection, 503, 5xx) and were retried.</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Waits (up to a second) until most slots have a request out, so that a fault catches them unanswered.</summary>
    public async Task WaitForBurstAsync()
    {
        var waited = Stopwatch.StartNew();
        while (InFlight < _slots / 2 && waited.ElapsedMilliseconds < 1000)
        {
            await Task.Delay(1);
        }
    }

    /// <summary>No new messages; the ones being retried finish (until their deadline).</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        _tick.TrySetResult();
        await _ticker;
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task TickAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                TaskCompletionSource fired = _tick;
                _tick = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                fired.TrySetResult();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WorkAsync(string worker, string token)
    {
        for (long n = 0; ; n++)
        {
            // A slot still busy with retries when the tick comes waits for the next one.
            await _tick.Task;
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            Guid id = Guid.NewGuid();
            Interlocked.Increment(ref _published);
            Interlocked.Increment(ref _inFlight);
            _ledger.Record(id, await PublishUntilAnsweredAsync(id, $"{worker}#{n}", token));
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task<PublishOutcome> PublishUntilAnsweredAsync(Guid id, string content, string token)
    {
        var deadline = Stopwatch.StartNew();
        bool mayHaveBeenAccepted = false;
        while (true)
        {
            TimeSpan wait = TimeSpan.FromMilliseconds(100);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/publishMessage")
                {
                    Content = JsonContent.Create(new { content, message_id = id }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using HttpResponseMessage response = await _http.SendAsync(request, CancellationToken.None);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Accepted:
                        return PublishOutcome.Accepted;
                    case HttpStatusCode.ServiceUnavailable:
                        // The broker is down: a definite "not accepted" for this attempt.
                        break;
                    case HttpStatusCode.TooManyRequests:
                        wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                        break;
                    default:
                        // A server error may have come after the broker confirmed; a 4xx is a broken promise.
                        mayHaveBeenAccepted |= (int)response.StatusCode >= 500;
                        if ((int)response.StatusCode < 500)
                        {
                            _ledger.RecordUnexpectedAnswer($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }

                        break;
                }
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
            {
                // No connection was made (the API is down): this attempt reached nobody.
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Timed out or the connection broke: the API may have published it before it died.
                mayHaveBeenAccepted = true;
            }

            Interlocked.Increment(ref _failedAttempts);
            if (deadline.Elapsed > MessageDeadline)
            {
                return mayHaveBeenAccepted ? PublishOutcome.Uncertain : PublishOutcome.Refused;
            }

            await Task.Delay(wait);
        }
    }
}
