using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.OpenRouter.Simulator;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Silo.Tests.Hosting;

public sealed class PriceRefreshTests
{
    [Fact]
    public async Task Prices_are_refreshed_from_upstream_models_at_start()
    {
        await using var simulator = await OpenRouterSimulator.StartAsync();
        var data = Path.Combine(Path.GetTempPath(), "price-refresh-" + Guid.NewGuid().ToString("N"));
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(RepositoryRoot.Find(), "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", data);
            foreach (var (key, value) in FreePorts.ClusterSettings())
            {
                b.UseSetting(key, value);
            }

            b.UseSetting("OpenRouter:BaseUrl", simulator.BaseUrl.ToString());
        });
        using var client = factory.CreateClient();

        await factory.Services.GetRequiredService<PriceCatalogRefresher>().FirstRefresh.WaitAsync(TimeSpan.FromSeconds(30));
        var catalog = factory.Services.GetRequiredService<PriceCatalogHolder>().Current;

        // A model the shipped catalog does not hold, priced by the simulator's /models.
        Assert.Equal("upstream /models", catalog.Source);
        Assert.True(catalog.TryGet("anthropic/claude-3-haiku", out var price));
        Assert.Equal(0.00000025m, price.PromptPerToken);
        Assert.True(catalog.TryGet("openai/gpt-4o-mini", out _));
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task An_unreachable_upstream_keeps_the_shipped_prices()
    {
        var data = Path.Combine(Path.GetTempPath(), "price-refresh-" + Guid.NewGuid().ToString("N"));
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(RepositoryRoot.Find(), "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", data);
            foreach (var (key, value) in FreePorts.ClusterSettings())
            {
                b.UseSetting(key, value);
            }

            b.UseSetting("OpenRouter:BaseUrl", "http://127.0.0.1:9/api/v1");
            b.UseSetting("OpenRouter:MaxRetries", "0");
        });
        using var client = factory.CreateClient();

        await factory.Services.GetRequiredService<PriceCatalogRefresher>().FirstRefresh.WaitAsync(TimeSpan.FromSeconds(30));

        var catalog = factory.Services.GetRequiredService<PriceCatalogHolder>().Current;
        Assert.Equal("embedded", catalog.Source);
        Assert.True(catalog.TryGet("openai/gpt-4o-mini", out _));
        if (Directory.Exists(data))
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
