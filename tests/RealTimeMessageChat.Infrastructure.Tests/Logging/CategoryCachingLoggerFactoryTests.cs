using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealTimeMessageChat.Infrastructure.Logging;

namespace RealTimeMessageChat.Infrastructure.Tests.Logging;

public sealed class CategoryCachingLoggerFactoryTests
{
    [Fact]
    public void CreateLogger_OneInnerLoggerPerCategory()
    {
        var inner = new CountingFactory();
        using var factory = new CategoryCachingLoggerFactory(inner);

        ILogger first = factory.CreateLogger("A");
        ILogger again = factory.CreateLogger("A");
        ILogger other = factory.CreateLogger("B");

        Assert.Same(first, again);
        Assert.NotSame(first, other);
        Assert.Equal(["A", "B"], inner.Created);
    }

    [Fact]
    public void Decorate_WrapsTheRegisteredFactory_AndDisposesIt()
    {
        var inner = new CountingFactory();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(_ => inner);

        CategoryCachingLoggerFactory.Decorate(services);
        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            var factory = provider.GetRequiredService<ILoggerFactory>();
            Assert.IsType<CategoryCachingLoggerFactory>(factory);
            factory.CreateLogger("X");
            factory.CreateLogger("X");
            Assert.Equal(["X"], inner.Created);
            Assert.Single(services, d => d.ServiceType == typeof(ILoggerFactory));
        }

        Assert.True(inner.Disposed);
    }

    private sealed class CountingFactory : ILoggerFactory
    {
        public List<string> Created { get; } = [];

        public bool Disposed { get; private set; }

        public ILogger CreateLogger(string categoryName)
        {
            Created.Add(categoryName);
            return new Named(categoryName);
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose() => Disposed = true;
    }

    private sealed class Named(string name) : ILogger
    {
        public string Name { get; } = name;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
