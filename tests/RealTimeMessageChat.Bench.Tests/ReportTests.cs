using RealTimeMessageChat.Bench.Report;

namespace RealTimeMessageChat.Bench.Tests;

public sealed class ReportTests
{
    [Theory]
    [InlineData(27_700_000, "27.7 M")]
    [InlineData(1_670_000, "1.67 M")]
    [InlineData(410_000, "410 k")]
    [InlineData(11_100, "11.1 k")]
    [InlineData(640, "640")]
    public void Rate_UsesUnits(double value, string expected) => Assert.Equal(expected, Format.Rate(value));

    [Fact]
    public void Ratio_MissingOrZeroDivisor_IsDash()
    {
        Assert.Equal("—", Format.Ratio(1.0, null));
        Assert.Equal("—", Format.Ratio(1.0, 0.0));
        Assert.Equal("0.60×", Format.Ratio(1.0e6, 1.67e6 / 1.0018));
    }

    [Fact]
    public void Table_PadsEveryColumn()
    {
        string[] lines = [.. Format.Table(["a", "bb"], [["xxx", "y"]])];

        Assert.Equal(["| a   | bb  |", "| --- | --- |", "| xxx | y   |"], lines);
    }

    [Fact]
    public void ResultTable_MaxRow_ComparesWithBothReferences()
    {
        var measurements = new Dictionary<string, Measurement>
        {
            ["c.max.n1000.s128"] = Rate("c.max.n1000.s128", 20e6),
            ["redis.max.n1000.s128"] = Rate("redis.max.n1000.s128", 1.6e6),
            ["ours.max.n1000.s128"] = Rate("ours.max.n1000.s128", 0.8e6),
        };

        TableRow row = new ResultTable(measurements).Build()[0];

        Assert.Equal("800 k", row.Ours);
        Assert.Equal("0.50× Redis, 0.040× C", row.Ratio);
        Assert.False(row.MustMet);
        Assert.False(row.StretchMet);
    }

    [Fact]
    public void ResultTable_NothingMeasured_SaysNotRun()
    {
        TableRow row = new ResultTable(new Dictionary<string, Measurement>()).Build()[0];

        Assert.Equal("not run", row.Ours);
        Assert.Null(row.MustMet);
    }

    private static Measurement Rate(string id, double perSecond) =>
        new() { Id = id, Title = id, Values = { ["deliveries_per_s"] = perSecond, ["order_ok"] = 1, ["clients"] = 1000 } };
}
