using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace RealTimeMessageChat.Infrastructure.Observability;

/// <summary>
/// Renders this process's <see cref="System.Diagnostics.Metrics"/> instruments (meters whose name
/// starts with <see cref="MeterPrefix"/>) in Prometheus text format. OpenTelemetry and
/// prometheus-net are not served here, so this is the small exporter: counters and up-down
/// counters as totals, histograms as <c>_count</c>/<c>_sum</c>, observable gauges read at scrape time.
/// Tags are not split into series; instruments here carry none.
/// </summary>
public sealed class PrometheusMetrics : IDisposable
{
    public const string MeterPrefix = "RealTimeMessageChat";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, double[]> _values = new();

    public PrometheusMetrics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal))
            {
                _values.TryAdd(instrument, new double[2]);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<int>((i, v, _, _) => Record(i, v));
        _listener.SetMeasurementEventCallback<double>((i, v, _, _) => Record(i, v));
        _listener.Start();
    }

    public string Render()
    {
        // Observable instruments report only when asked; gauges then hold the latest reading.
        foreach (var slot in _values)
        {
            if (slot.Key.IsObservable)
            {
                lock (slot.Value)
                {
                    slot.Value[0] = 0;
                }
            }
        }

        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var (instrument, slot) in _values.OrderBy(p => p.Key.Name, StringComparer.Ordinal))
        {
            string name = Sanitize(instrument);
            double value, count;
            lock (slot)
            {
                (value, count) = (slot[0], slot[1]);
            }

            string type = instrument switch
            {
                Histogram<double> or Histogram<long> => "summary",
                ObservableGauge<long> or ObservableGauge<double> or ObservableGauge<int> or UpDownCounter<long> or UpDownCounter<int> or ObservableUpDownCounter<long> => "gauge",
                _ => "counter",
            };
            text.Append("# HELP ").Append(name).Append(' ').Append(instrument.Description ?? instrument.Name).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            if (type == "summary")
            {
                text.Append(name).Append("_sum ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
                text.Append(name).Append("_count ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            else
            {
                text.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value)
    {
        if (!_values.TryGetValue(instrument, out double[]? slot))
        {
            return;
        }

        lock (slot)
        {
            slot[0] += value;
            slot[1] += 1;
        }
    }

    private static string Sanitize(Instrument instrument)
    {
        var name = new StringBuilder("rtmc_");
        foreach (char c in instrument.Name)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_');
        }

        if (instrument.Unit is { Length: > 0 } unit && char.IsAsciiLetter(unit[0]))
        {
            name.Append('_').Append(unit.ToLowerInvariant());
        }

        return name.ToString();
    }
}
