using RealTimeMessageChat.Infrastructure.Storage.Postgres;

namespace RealTimeMessageChat.Infrastructure.Tests;

public sealed class MigrationRunnerTests
{
    [Fact]
    public void LoadScripts_ReturnsEmbeddedFilesInNameOrder()
    {
        var scripts = MigrationRunner.LoadScripts();

        Assert.True(scripts.Count >= 2);
        Assert.Equal("0001_create_users.sql", scripts[0].Name);
        Assert.Equal(scripts.Select(s => s.Name).Order(StringComparer.Ordinal), scripts.Select(s => s.Name));
        Assert.All(scripts, s => Assert.False(string.IsNullOrWhiteSpace(s.Sql)));
    }
}
