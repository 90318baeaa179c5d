using OrleansTenancy.Silo.Alerts;
using OrleansTenancy.Silo.Apis;
using OrleansTenancy.Silo.Cluster;
using OrleansTenancy.Silo.Commands;
using OrleansTenancy.Silo.Dashboard;
using OrleansTenancy.Silo.Gateway;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.Silo.Observability;

if (HelpCommand.TryRun(args, Console.Out, out var exitCode) || ValidateTenantsCommand.TryRun(args, Console.Out, Console.Error, out exitCode))
{
    return exitCode;
}

// appsettings.json ships beside the binary; relative data paths (./tenants, ./data) still resolve
// against the directory the silo was started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// Metrics first: its hosted service creates the instruments before other services start measuring.
builder.Services.AddTenancyMetrics(builder.Configuration);
try
{
    builder.AddTenancySilo(args);
}
catch (DataDirectoryInUseException inUse)
{
    Console.Error.WriteLine(inUse.Message);
    return 1;
}

builder.AddTenancyGrains();
builder.AddTenancyRouting();
builder.Services.AddTenancyClusterView();
builder.Services.AddTenancyGateway();
builder.Services.AddTenancyDashboard();
builder.AddTenancyOrleansDashboard();
builder.Services.AddTenancyAlerts();

var app = builder.Build();
app.Services.GetRequiredService<DataDirectoryLock>(); // owned by the container from here on
app.UseTenancyErrorResponses();
app.UseAuthorization();
app.MapHealthApi();
app.MapAdminApi();
app.MapChatCompletionsApi();
app.MapModelsApi();
app.MapMemoryApi();
app.MapPrometheusMetrics("/metrics").RequireTenancyAdmin();
app.MapDashboard();
app.MapTenancyOrleansDashboard();
await app.RunAsync();
return 0;

/// <summary>The silo program; public so that test hosts can start it.</summary>
public partial class Program;
