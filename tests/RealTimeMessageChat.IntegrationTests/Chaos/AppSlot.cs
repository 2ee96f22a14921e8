namespace RealTimeMessageChat.IntegrationTests.Chaos;

/// <summary>
/// One of the system's processes that a fault may end, with what it takes to start it again on the
/// same ports: clients and the API's callers come back to the same address, as behind a supervisor.
/// </summary>
public sealed class AppSlot(ChatSystem system, string name, string app, Dictionary<string, string> environment, string readyUrl, AppProcess current)
{
    public string Name { get; } = name;

    public AppProcess Current { get; private set; } = current;

    public static async Task<AppSlot> StartAsync(ChatSystem system, string name, string app, Dictionary<string, string> environment, string readyUrl, CancellationToken cancellationToken)
    {
        AppProcess process = system.Launch(app, environment);
        await process.WaitUntilReadyAsync(readyUrl, cancellationToken);
        return new AppSlot(system, name, app, environment, readyUrl, process);
    }

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        Current = system.Launch(app, environment);
        await Current.WaitUntilReadyAsync(readyUrl, cancellationToken);
    }
}
