namespace RealTimeMessageChat.TestUtilities;

/// <summary>Bounds for async tests: generous, because our machines have two cores and CI is busy.</summary>
public static class TestTimeouts
{
    public static readonly TimeSpan Short = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan EndToEnd = TimeSpan.FromSeconds(90);

    /// <summary>A token that fires after <paramref name="timeout"/> or when xUnit cancels the test.</summary>
    public static CancellationTokenSource Create(TimeSpan timeout)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(Xunit.TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        return cts;
    }
}
