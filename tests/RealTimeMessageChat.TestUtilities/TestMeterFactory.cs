using System.Diagnostics.Metrics;

namespace RealTimeMessageChat.TestUtilities;

/// <summary>
/// An <see cref="IMeterFactory"/> for tests that build a metrics class by hand: each test gets
/// meters of its own, disposed with the factory (what the host's factory does at shutdown).
/// </summary>
public sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            foreach (Meter meter in _meters)
            {
                meter.Dispose();
            }

            _meters.Clear();
        }
    }
}
