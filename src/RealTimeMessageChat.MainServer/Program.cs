using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Hosting;
using RealTimeMessageChat.Infrastructure.Logging;
using RealTimeMessageChat.Infrastructure.Observability;
using RealTimeMessageChat.MainServer;

return await RtmcProgram.RunAsync("MainServer", async () =>
{
    var builder = RtmcProgram.CreateWebApplicationBuilder(args);
    builder.AddRtmcConfiguration("main_server_configurations.json", args);
    builder.AddRtmcLogging("MainServer");
    builder.AddMainServer();

    var app = builder.Build();
    app.MapRtmcHealthAndMetrics();

    await app.RunAsync();
});
