using RealTimeMessageChat.Infrastructure.Configuration;
using RealTimeMessageChat.Infrastructure.Hosting;
using RealTimeMessageChat.Infrastructure.Logging;
using RealTimeMessageChat.RestApi;
using RealTimeMessageChat.RestApi.Admin;

// An operator's verb (./build.sh admin create <user>), not the server.
if (args is ["admin", ..])
{
    return await AdminCommand.RunAsync(args);
}

return await RtmcProgram.RunAsync("RestApi", async () =>
{
    var builder = RtmcProgram.CreateWebApplicationBuilder(args);
    builder.AddRtmcConfiguration("rest_api_configurations.json", args);
    builder.AddRtmcLogging("RestApi");
    builder.AddRestApi();

    var app = builder.Build();
    app.UseRestApi();
    await app.RunAsync();
});

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
