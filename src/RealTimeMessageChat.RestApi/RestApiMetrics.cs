using System.Diagnostics.Metrics;

namespace RealTimeMessageChat.RestApi;

/// <summary>The RestApi's instruments, exported by <c>/metrics</c> as <c>rtmc_restapi_*</c> (counters with <c>_total</c>).</summary>
internal sealed class RestApiMetrics
{
    public const string MeterName = "RealTimeMessageChat.RestApi";

    // Seconds, from half a millisecond (a confirm on loopback) to the 5 s confirm timeout; the
    // exporter's default boundaries (0, 5, 10, … 10,000) suit milliseconds, not seconds.
    private static readonly double[] ConfirmBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _loginFailures;
    private readonly Counter<long> _loginsThrottled;
    private readonly Counter<long> _registrations;
    private readonly Histogram<double> _publishLatency;

    public RestApiMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("rtmc.restapi.messages.published", unit: "{message}", description: "Messages confirmed by the broker and answered 202");
        _publishFailures = meter.CreateCounter<long>("rtmc.restapi.messages.publish_failures", unit: "{message}", description: "Publishes answered 503: broker down, nack, return or confirm timeout");
        _logins = meter.CreateCounter<long>("rtmc.restapi.logins", unit: "{login}", description: "Successful logins");
        _loginFailures = meter.CreateCounter<long>("rtmc.restapi.login_failures", unit: "{login}", description: "Logins refused: unknown user, wrong password or banned");
        _loginsThrottled = meter.CreateCounter<long>("rtmc.restapi.logins_throttled", unit: "{login}", description: "Logins answered 429: the account's or the address's failed attempts of the minute used up");
        _registrations = meter.CreateCounter<long>("rtmc.restapi.registrations", unit: "{user}", description: "Accounts created");
        _publishLatency = meter.CreateHistogram(
            "rtmc.restapi.publish.confirm_duration",
            unit: "s",
            description: "Time from publish to broker confirm",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ConfirmBuckets });
    }

    public void Published(TimeSpan latency)
    {
        _published.Add(1);
        _publishLatency.Record(latency.TotalSeconds);
    }

    public void PublishFailed() => _publishFailures.Add(1);

    public void LoginSucceeded() => _logins.Add(1);

    public void LoginFailed() => _loginFailures.Add(1);

    public void LoginThrottled() => _loginsThrottled.Add(1);

    public void Registered() => _registrations.Add(1);
}
