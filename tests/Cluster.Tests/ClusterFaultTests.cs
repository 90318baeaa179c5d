using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace OrleansTenancy.Cluster.Tests;

/// <summary>
/// The cluster as an operator runs it: silo processes started by <c>deploy/local/cluster.sh</c>, on real Redis or
/// PostgreSQL membership, grain state and ledger in PostgreSQL, TCP between the silos, load over HTTP on every silo
/// across many tenants (a third of them with small hard caps), the OpenRouter simulator upstream. Each fault is followed
/// by the money audit (<see cref="MoneyAudit"/>): nothing acknowledged missing from the ledger, no hard cap exceeded,
/// counters equal to the ledger for every tenant. The failover time is printed (lines starting <c>[cluster]</c>, which
/// <c>./test.sh</c> repeats at the end); the 5-second target is a benchmark, not an assertion here.
/// </summary>
public sealed partial class ClusterFaultTests(ClusterUpstream upstream, ITestOutputHelper output) : IClassFixture<ClusterUpstream>
{
    private const int Callers = 12;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("redis")]
    [InlineData("postgres")]
    public async Task A_killed_silo_costs_seconds_and_no_money_and_a_silo_that_joins_takes_its_share(string membership)
    {
        var tenants = upstream.Tenants.Tenants;
        var (before, after) = (tenants.Take(12).ToList(), tenants.Skip(12).ToList());
        await using var cluster = upstream.Cluster(membership);
        await cluster.StartAsync(3);

        // SIGKILL one of three silos while every silo takes calls.
        await using (var load = HttpLoad.Start(cluster.Silo, [1, 2, 3], before, Callers, "kill"))
        {
            await load.WaitUntilAsync(l => l.Records.Count(r => r.Silo == 3 && r.Status == 200) >= 50, Patience, "50 calls answered by silo 3 before the kill");
            var killedAt = Stopwatch.GetTimestamp();
            await cluster.KillAsync(3);
            var survivors = new HashSet<int> { 1, 2 };

            // An operator looks at the cluster while it fails over: every survivor answers GET /admin/cluster.
            await ListClusterWhileFailingOverAsync(cluster, survivors);
            await load.WaitUntilAsync(
                l => FailoverReport.Recovered(l, killedAt, survivors, quiet: TimeSpan.FromSeconds(3), calls: 100),
                Patience,
                "calls through silos 1 and 2 to succeed again after silo 3 was killed" + Environment.NewLine + cluster.LogTail(1));
            Report($"{membership}: SIGKILL of silo 3 of 3 under load: {FailoverReport.Measure(load.Records, killedAt, survivors)}");

            // The audit's hard-cap check means something only once a capped tenant has been refused.
            await load.WaitUntilAsync(l => l.Records.Any(r => r.Status == 402), Patience, "a tenant with a small hard cap to be refused (402)");
            await load.StopAsync();
            await AuditAsync(cluster, cluster.Silo(1), before, load.Records, $"{membership}: after the kill");
        }

        // Silo 3 comes back as a new member; grains activated from now on are placed across all three.
        await cluster.StartAsync(3);
        await using (var load = HttpLoad.Start(cluster.Silo, [1, 2, 3], after, Callers, "join"))
        {
            await load.WaitUntilAsync(
                l => after.All(t => l.Records.Any(r => r.Tenant == t.Slug && r.Answered)),
                Patience,
                "every tenant of the second half to be answered after silo 3 joined");
            await load.StopAsync();
            Assert.All(load.Records, r => Assert.True(r.Answered, r.Error));
        }

        var hosted = await TenantActivationsAsync(cluster, [1, 2, 3]);
        Report($"{membership}: tenant grains per silo after silo 3 joined (first half placed before it): {string.Join(", ", hosted.Select(h => $"silo {h.Key}: {h.Value}"))}");
        Assert.True(hosted[3] >= after.Count / 6, $"silo 3 hosts {hosted[3]} of the {after.Count} tenants first called after it joined; a fair share is {after.Count / 3}.");
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("postgres")]
    public async Task Restarting_the_membership_and_storage_servers_mid_load_loses_nothing_acknowledged(string membership)
    {
        var tenants = upstream.Tenants.Tenants;
        await using var cluster = upstream.Cluster(membership);
        await cluster.StartAsync(3);
        var all = new HashSet<int> { 1, 2, 3 };
        await using var load = HttpLoad.Start(cluster.Silo, [1, 2, 3], tenants, Callers, "restart");
        await load.WaitUntilAsync(l => l.Records.Count(r => r.Status == 200) >= 150, Patience, "150 calls answered before the restarts");

        if (membership == "redis")
        {
            var restarted = Stopwatch.GetTimestamp();
            await cluster.RestartRedisAsync();
            await load.WaitUntilAsync(l => FailoverReport.Recovered(l, restarted, all, TimeSpan.FromSeconds(2), 100), Patience, "calls to succeed again after Redis restarted");
            Report($"{membership}: Redis restarted under load: {FailoverReport.Measure(load.Records, restarted, all)}");
        }

        var stopped = Stopwatch.GetTimestamp();
        await cluster.RestartPostgresAsync();
        await load.WaitUntilAsync(l => FailoverReport.Recovered(l, stopped, all, TimeSpan.FromSeconds(3), 100), Patience, "calls to succeed again after PostgreSQL restarted");
        await load.StopAsync();
        Report($"{membership}: PostgreSQL restarted under load: {FailoverReport.Measure(load.Records, stopped, all)}");

        // Membership lived through it: every silo is still a healthy member.
        var status = await cluster.StatusAsync();
        Assert.Equal(3, HealthySilo().Count(status));
        await AuditAsync(cluster, cluster.Silo(1), tenants, load.Records, $"{membership}: after the restarts");
    }

    private async Task AuditAsync(LocalCluster cluster, Uri silo, IReadOnlyList<LoadTenant> tenants, IReadOnlyList<CallRecord> records, string when)
    {
        var audit = await MoneyAudit.RunAsync(cluster, silo, tenants, records, Patience);
        Report($"{when}: {audit}");
        Assert.True(audit.Intact, audit.ToString());
    }

    private static async Task ListClusterWhileFailingOverAsync(LocalCluster cluster, IEnumerable<int> silos)
    {
        using var http = new HttpClient { Timeout = Patience };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminKey);
        foreach (var silo in silos.SelectMany(s => Enumerable.Repeat(s, 4)))
        {
            using var answer = await http.GetAsync(new Uri(cluster.Silo(silo), "admin/cluster"));
            Assert.True(answer.IsSuccessStatusCode, $"GET /admin/cluster on silo {silo}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The tenant grains each silo hosts, from its own metrics (<c>orleans_catalog_activations</c>).</summary>
    private static async Task<Dictionary<int, int>> TenantActivationsAsync(LocalCluster cluster, int[] silos)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminKey);
        var hosted = new Dictionary<int, int>();
        foreach (var silo in silos)
        {
            var metrics = await http.GetStringAsync(new Uri(cluster.Silo(silo), "metrics"));
            var line = TenantActivations().Match(metrics);
            hosted[silo] = line.Success ? int.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        }

        return hosted;
    }

    private void Report(string line) => output.WriteLine("[cluster] " + line);

    [GeneratedRegex("""^orleans_catalog_activations\{grain_type="tenant"\} (\d+)""", RegexOptions.Multiline)]
    private static partial Regex TenantActivations();

    [GeneratedRegex(@"^silo \d+: running, pid \d+, \S+ healthy", RegexOptions.Multiline)]
    private static partial Regex HealthySilo();
}
