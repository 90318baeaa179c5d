using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>
/// A .NET service outside the silo (README, "From .NET inside the cluster") calls the router grain through the silo's
/// Orleans gateway with an Orleans client, and gets answers and refusals with their details.
/// </summary>
public sealed class ClusterClientTests
{
    [Fact]
    public async Task An_orleans_client_calls_the_router_grain_through_the_silo_gateway_and_gets_answers_and_refusals()
    {
        await using var host = await GatewayHost.StartAsync();
        using var http = host.CreateClient();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client => client.UseLocalhostClustering(host.OrleansGatewayPort, serviceId: "orleans-tenancy", clusterId: "orleans-tenancy"));
        using var service = builder.Build();
        await service.StartAsync();
        var router = service.Services.GetRequiredService<IClusterClient>().GetGrain<IRouterGrain>("router");

        var answer = await router.ChatAsync(new ChatCall { Context = new TenantContext("acme", "staff"), Messages = [new ChatTurn("user", "Say hello")] });
        var refused = await router.ChatAsync(new ChatCall { Context = new TenantContext("broke", "main"), Messages = [new ChatTurn("user", "Say hello")] });

        Assert.Null(answer.Refusal);
        Assert.Contains("Simulated reply from", answer.Text, StringComparison.Ordinal);
        Assert.Equal(new TenantContext("acme", "staff"), answer.Context);
        Assert.True(answer.CostUsd > 0m && answer.EstimatedCostUsd >= answer.CostUsd);
        Assert.Equal(("budget_exceeded", 402), (refused.Refusal!.Code, refused.Refusal.StatusCode));
        Assert.Equal(BudgetMetric.CostUsd, refused.Refusal.Denial!.Metric);
        await service.StopAsync();
    }
}
