using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Tests.Hosting;

/// <summary>The watcher reloads after file events, debounced on an injected clock.</summary>
public sealed class WatcherTests
{
    private static readonly TimeSpan Debounce = TimeSpan.FromSeconds(2);

    [Fact]
    public void A_burst_of_changes_reloads_once_after_the_quiet_period()
    {
        using var tenants = new TempTenants();
        tenants.Write("t/tenant.yaml", TempTenants.TenantYaml()).Write("t/budgets.yaml", "daily_cap_usd: 1\n");
        var clock = new TestClock();
        using var watcher = new TenantRegistryWatcher(tenants.Root, clock, Debounce);
        watcher.EnableFileEvents(false);
        var reloads = new List<TenantRegistry>();
        watcher.Reloaded += (_, e) => reloads.Add(e.Registry);

        tenants.Write("t/budgets.yaml", "daily_cap_usd: 9\n");
        watcher.NotifyChanged();
        clock.Advance(TimeSpan.FromSeconds(1.5));
        watcher.NotifyChanged();
        clock.Advance(TimeSpan.FromSeconds(1.5));

        Assert.Empty(reloads);
        Assert.Equal(1m, watcher.Current.GetEffectiveLimits("t").DailyCapUsd);

        clock.Advance(TimeSpan.FromSeconds(0.5));

        var reloaded = Assert.Single(reloads);
        Assert.Same(reloaded, watcher.Current);
        Assert.Equal(9m, watcher.Current.GetEffectiveLimits("t").DailyCapUsd);
    }

    [Fact]
    public void A_forced_reload_of_a_broken_edit_publishes_problems_and_keeps_the_tenant()
    {
        using var tenants = new TempTenants();
        tenants.Write("t/tenant.yaml", TempTenants.TenantYaml()).Write("t/budgets.yaml", "daily_cap_usd: 1\n");
        using var watcher = new TenantRegistryWatcher(tenants.Root, new TestClock(), Debounce);
        watcher.EnableFileEvents(false);
        IReadOnlyList<TenantProblem>? published = null;
        watcher.Reloaded += (_, e) => published = e.Problems;

        tenants.Write("t/budgets.yaml", "daily_cap_usd: 1\nmonthly_cap_usd: 0.5\n");
        var snapshot = watcher.Reload();

        Assert.NotNull(published);
        Assert.Contains(published, p => p.Message.Contains("'monthly_cap_usd' (0.5) in budgets.yaml is below", StringComparison.Ordinal));
        Assert.Equal(1m, snapshot.GetEffectiveLimits("t").DailyCapUsd);
        Assert.Null(snapshot.GetEffectiveLimits("t").MonthlyCapUsd);
    }

    [Fact]
    public async Task Editing_a_file_on_disk_triggers_a_reload()
    {
        using var tenants = new TempTenants();
        tenants.Write("t/tenant.yaml", TempTenants.TenantYaml()).Write("t/budgets.yaml", "daily_cap_usd: 1\n");
        using var watcher = new TenantRegistryWatcher(tenants.Root, TimeProvider.System, TimeSpan.FromMilliseconds(50));
        var edited = new TaskCompletionSource<TenantRegistry>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Reloaded += (_, e) =>
        {
            if (e.Registry.Find("t")?.Budgets.DailyCapUsd == 4m)
            {
                edited.TrySetResult(e.Registry);
            }
        };

        tenants.Write("t/budgets.yaml", "daily_cap_usd: 4\n");
        var registry = await edited.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(4m, registry.GetEffectiveLimits("t").DailyCapUsd);
        Assert.Same(registry, watcher.Current);
    }

    [Fact]
    public void Reload_after_dispose_is_refused()
    {
        using var tenants = new TempTenants();
        var watcher = new TenantRegistryWatcher(tenants.Root, new TestClock(), Debounce);
        watcher.Dispose();

        Assert.Throws<ObjectDisposedException>(() => watcher.Reload());
    }
}
