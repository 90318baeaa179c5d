using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansTenancy.Silo.Cluster;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Tests.Cluster;

/// <summary>
/// The cluster view over real Orleans silos in one process (TestingHost), each with a tenants folder of its own, as
/// silos started from different folders would be.
/// </summary>
public sealed class ClusterViewTests
{
    [Fact]
    public async Task Silos_whose_tenants_differ_are_flagged_and_a_stopped_silo_is_listed_as_dead()
    {
        using var usual = new TempTenants();
        using var edited = new TempTenants();
        usual.Write("acme/tenant.yaml", TempTenants.TenantYaml()).Write("acme/budgets.yaml", "daily_cap_usd: 5\n");
        edited.Write("acme/tenant.yaml", TempTenants.TenantYaml()).Write("acme/budgets.yaml", "daily_cap_usd: 6\n");
        var usualHash = usual.Load().ContentHash;
        var editedHash = edited.Load().ContentHash;
        Assert.NotEqual(usualHash, editedHash);

        // Silo_0 and any silo added later read the usual folder; Silo_1 the edited one.
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((options, silo) =>
        {
            var folder = options.SiloName == "Silo_1" ? edited : usual;
            silo.Services.AddSingleton<ITenantRegistrySource>(new FixedTenantRegistrySource(folder.Load()));
            silo.Services.AddSingleton(TimeProvider.System);
            silo.Services.AddTenancyClusterView();
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        var view = cluster.Silos[0].ServiceProvider.GetRequiredService<IClusterView>();

        // Two silos that disagree: no majority, so both are flagged.
        var split = await view.GetClusterAsync(CancellationToken.None);
        Assert.Equal(2, split.Silos.Count);
        Assert.All(split.Silos, s => Assert.Equal("active", s.Status));
        Assert.All(split.Silos, s => Assert.True(s.RegistryDiffers, $"{s.Name} should be flagged"));
        Assert.Null(split.RegistryHash);
        Assert.False(split.RegistriesAgree);
        Assert.Equal(editedHash, Named(split, "Silo_1").RegistryHash);
        Assert.Equal(usualHash, Named(split, "Silo_0").RegistryHash);
        Assert.True(Named(split, "Silo_0").IsThisSilo);
        Assert.False(Named(split, "Silo_1").IsThisSilo);
        Assert.All(split.Silos, s => Assert.True(s.Activations > 0, $"{s.Name} reported {s.Activations} activations"));
        Assert.All(split.Silos, s => Assert.Equal(1 + 1, s.Tenants)); // acme and the built-in default
        Assert.All(split.Silos, s => Assert.Null(s.Problem));
        Assert.All(split.Silos, s => Assert.Equal(ThisSilo.ProductVersion, s.Version));

        // A third silo with the usual tenants makes them the majority: only Silo_1 is flagged now.
        var third = await cluster.StartAdditionalSiloAsync();
        var majority = await view.GetClusterAsync(CancellationToken.None);
        Assert.Equal(3, majority.Silos.Count);
        Assert.Equal(usualHash, majority.RegistryHash);
        Assert.False(majority.RegistriesAgree);
        Assert.Equal(["Silo_1"], majority.Silos.Where(s => s.RegistryDiffers).Select(s => s.Name));
        Assert.Equal(usualHash, Named(majority, third.Name).RegistryHash);

        // The odd silo stops: it stays listed as dead, unflagged, and the rest agree.
        var odd = cluster.Silos.Single(s => s.Name == "Silo_1");
        await cluster.StopSiloAsync(odd);
        var after = await view.GetClusterAsync(CancellationToken.None);
        var dead = Named(after, "Silo_1");
        Assert.Equal("dead", dead.Status);
        Assert.False(dead.RegistryDiffers);
        Assert.Null(dead.RegistryHash);
        Assert.Null(dead.UptimeSeconds);
        Assert.True(after.RegistriesAgree);
        Assert.Equal(usualHash, after.RegistryHash);
        Assert.Equal(["active", "active", "dead"], after.Silos.Select(s => s.Status));
    }

    private static SiloReport Named(ClusterReport report, string name) =>
        report.Silos.SingleOrDefault(s => s.Name == name) ?? throw new Xunit.Sdk.XunitException(
            $"No silo named {name}; the view lists {string.Join(", ", report.Silos.Select(s => $"{s.Name} ({s.Status})"))}.");
}
