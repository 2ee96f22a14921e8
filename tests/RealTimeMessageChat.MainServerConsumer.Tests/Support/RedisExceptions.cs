using System.Reflection;
using StackExchange.Redis;

namespace RealTimeMessageChat.MainServerConsumer.Tests.Support;

/// <summary>StackExchange.Redis 1.2.6 keeps its exception constructors internal; tests build them by reflection.</summary>
internal static class RedisExceptions
{
    public static RedisServerException Server(string message) => Create<RedisServerException>(message);

    public static RedisConnectionException Connection(string message) => Create<RedisConnectionException>(message);

    public static RedisTimeoutException Timeout(string message) => Create<RedisTimeoutException>(message);

    private static T Create<T>(string message)
        where T : Exception
    {
        ConstructorInfo constructor = typeof(T).GetConstructors(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(c => c.GetParameters().All(p => p.ParameterType == typeof(string) || p.ParameterType.IsEnum || p.ParameterType == typeof(Exception)))
            .OrderBy(c => c.GetParameters().Length)
            .First();
        object?[] arguments = constructor.GetParameters()
            .Select(p => p.ParameterType == typeof(string) ? message : p.ParameterType.IsEnum ? Activator.CreateInstance(p.ParameterType) : null)
            .ToArray();
        return (T)constructor.Invoke(arguments);
    }
}
