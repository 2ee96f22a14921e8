namespace RealTimeMessageChat.Bench.Report;

/// <summary>
/// One measured thing (a scenario of ours, or a reference): named values, plus notes for what the
/// numbers alone do not say. <see cref="Skipped"/> holds the reason when it could not be measured.
/// </summary>
internal sealed class Measurement
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public Dictionary<string, double> Values { get; init; } = [];

    public List<string> Notes { get; init; } = [];

    public string? Skipped { get; set; }

    public double? Get(string key) => Skipped is null && Values.TryGetValue(key, out double value) ? value : null;

    public Measurement With(Dictionary<string, double> values)
    {
        foreach (var (key, value) in values)
        {
            Values[key] = value;
        }

        return this;
    }
}
