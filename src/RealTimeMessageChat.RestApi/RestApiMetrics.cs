using System.Diagnostics.Metrics;

namespace RealTimeMessageChat.RestApi;

/// <summary>The RestApi's instruments, exported by <c>/metrics</c>.</summary>
internal sealed class RestApiMetrics
{
    public const string MeterName = "RealTimeMessageChat.RestApi";

    private readonly Counter<long> _published;
    private readonly Counter<long> _publishFailures;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _loginFailures;
    private readonly Counter<long> _registrations;
    private readonly Histogram<double> _publishLatency;

    public RestApiMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("restapi.messages.published", description: "Messages confirmed by the broker and answered 202");
        _publishFailures = meter.CreateCounter<long>("restapi.messages.publish_failures", description: "Publishes answered 503: broker down, nack, return or confirm timeout");
        _logins = meter.CreateCounter<long>("restapi.logins", description: "Successful logins");
        _loginFailures = meter.CreateCounter<long>("restapi.login_failures", description: "Logins refused: unknown user, wrong password or banned");
        _registrations = meter.CreateCounter<long>("restapi.registrations", description: "Accounts created");
        _publishLatency = meter.CreateHistogram<double>("restapi.publish.confirm_latency", unit: "ms", description: "Time from publish to broker confirm");
    }

    public void Published(TimeSpan latency)
    {
        _published.Add(1);
        _publishLatency.Record(latency.TotalMilliseconds);
    }

    public void PublishFailed() => _publishFailures.Add(1);

    public void LoginSucceeded() => _logins.Add(1);

    public void LoginFailed() => _loginFailures.Add(1);

    public void Registered() => _registrations.Add(1);
}
