using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using RealTimeMessageChat.Infrastructure.Sessions;

namespace RealTimeMessageChat.Infrastructure.Rooms;

public static class RoomServiceCollectionExtensions
{
    /// <summary>
    /// Room membership (cached for <paramref name="ttl"/>, kept current by the control channel) and
    /// read receipts and the room repository, over the registered <see cref="NpgsqlDataSource"/>.
    /// </summary>
    public static IServiceCollection AddRtmcRooms(this IServiceCollection services, Func<IServiceProvider, TimeSpan> ttl)
    {
        services.TryAddSingleton(sp => new PostgresRoomMembership(sp.GetRequiredService<NpgsqlDataSource>(), ttl(sp)));
        services.TryAddSingleton<IRoomMembership>(sp => sp.GetRequiredService<PostgresRoomMembership>());
        services.AddSingleton<IModerationEventHandler>(sp => sp.GetRequiredService<PostgresRoomMembership>());
        services.TryAddSingleton<IReadReceipts, PostgresReadReceipts>();
        services.TryAddSingleton<IRoomRepository, PostgresRoomRepository>();
        return services.AddRtmcModerationEvents();
    }
}
