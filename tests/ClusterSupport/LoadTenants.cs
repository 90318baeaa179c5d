using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Cluster.TestSupport;

/// <summary>One tenant the load calls for.</summary>
/// <param name="Slug">The tenant's slug.</param>
/// <param name="ApiKey">Its API key (workspace <c>main</c>).</param>
/// <param name="DailyCapUsd">Its hard daily cost cap, when it has a small one the load will reach.</param>
/// <param name="DailyExecutions">Its hard daily execution cap, when it has a small one.</param>
public sealed record LoadTenant(string Slug, string ApiKey, decimal? DailyCapUsd, long? DailyExecutions);

/// <summary>
/// A throw-away tenants folder of many tenants under hard enforcement: the shipped <c>_global.yaml</c> (prices, models)
/// and one folder per tenant with an API key. Every third tenant (by default) has small daily caps (cost and
/// executions) that the load reaches, so a test sees whether a hard cap held through a fault; the others have caps the
/// load never reaches.
/// </summary>
public sealed class LoadTenants : IDisposable
{
    private LoadTenants(string folder, IReadOnlyList<LoadTenant> tenants)
    {
        Folder = folder;
        Tenants = tenants;
    }

    /// <summary>The tenants folder.</summary>
    public string Folder { get; }

    /// <summary>Every tenant, in slug order.</summary>
    public IReadOnlyList<LoadTenant> Tenants { get; }

    /// <summary>Writes <paramref name="count"/> tenants (<c>load-01</c>, …) into a new temporary folder.</summary>
    /// <param name="count">How many tenants.</param>
    /// <param name="cappedEvery">Every how many tenants one has small caps; 0 for none.</param>
    /// <param name="smallDailyCapUsd">The daily cost cap of the capped tenants.</param>
    /// <param name="smallDailyExecutions">The daily execution cap of the capped tenants.</param>
    public static LoadTenants Write(int count, int cappedEvery = 3, decimal smallDailyCapUsd = 0.0005m, long smallDailyExecutions = 60)
    {
        var folder = Path.Combine(Path.GetTempPath(), "orleans-tenancy-load-tenants-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        File.Copy(Path.Combine(RepositoryRoot.Find(), "tenants", "_global.yaml"), Path.Combine(folder, "_global.yaml"));
        var tenants = new List<LoadTenant>();
        for (var i = 1; i <= count; i++)
        {
            var slug = string.Create(CultureInfo.InvariantCulture, $"load-{i:00}");
            var capped = cappedEvery > 0 && i % cappedEvery == 0;
            var tenant = new LoadTenant(slug, $"sk-tenant-{slug}-{Guid.NewGuid():N}", capped ? smallDailyCapUsd : null, capped ? smallDailyExecutions : null);
            Directory.CreateDirectory(Path.Combine(folder, slug));
            File.WriteAllText(Path.Combine(folder, slug, "tenant.yaml"), $"""
                name: Load tenant {slug}
                status: active
                timezone: UTC
                workspaces:
                  main:
                    name: Main
                api_keys:
                  - id: load
                    workspace: main
                    sha256: {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant.ApiKey)))}

                """);
            File.WriteAllText(Path.Combine(folder, slug, "budgets.yaml"), string.Create(CultureInfo.InvariantCulture, $"""
                enforcement: hard
                daily_cap_usd: {tenant.DailyCapUsd ?? 100m}
                monthly_cap_usd: 1000
                daily_executions: {tenant.DailyExecutions ?? 10_000_000}
                monthly_executions: 100000000
                daily_tokens: 1000000000
                monthly_tokens: 10000000000
                max_per_request: 0.5

                """));
            tenants.Add(tenant);
        }

        return new LoadTenants(folder, tenants);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary folder.
        }
    }
}
