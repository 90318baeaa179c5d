using System.Net;
using System.Net.Sockets;

namespace OrleansTenancy.Cluster.Tests;

/// <summary>What <c>deploy/local/cluster.sh</c> tells a user whose machine is not ready for it, before it starts anything.</summary>
public sealed class ClusterScriptTests(ClusterUpstream upstream) : IClassFixture<ClusterUpstream>
{
    [Fact]
    public async Task Start_refuses_a_port_another_program_holds_naming_it_and_the_setting_and_starts_nothing()
    {
        await using var cluster = upstream.Cluster("postgres");
        var taken = cluster.Silo(2).Port;
        using var other = new TcpListener(IPAddress.Loopback, taken);
        other.Start();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.StartAsync(3));

        Assert.Contains($"127.0.0.1:{taken} (silo 2's HTTP port) is already in use", refused.Message, StringComparison.Ordinal);
        Assert.Contains("CLUSTER_HTTP_BASE", refused.Message, StringComparison.Ordinal);
        Assert.Contains("no silos", await cluster.StatusAsync(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(cluster.RunFolder, "postgres")), "PostgreSQL was set up although start was refused");
    }
}
