using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using OrleansTenancy.Silo.Hosting;

namespace OrleansTenancy.Silo.Tests.Hosting;

public sealed class ClusterOptionsTests
{
    [Fact]
    public void The_defaults_are_a_single_localhost_silo_on_orleans_usual_ports_and_they_are_valid()
    {
        var defaults = new ClusterHostOptions();

        Assert.Equal(
            "Membership=localhost, ClusterId=orleans-tenancy, ServiceId=orleans-tenancy, SiloPort=11111, GatewayPort=30000, ResponseTimeout=00:00:30, CollectionAge=00:15:00",
            defaults.ToString());
        Assert.True(new ClusterHostOptionsValidator().Validate(null, defaults).Succeeded);
    }

    [Fact]
    public void Each_bad_setting_is_named_with_what_it_must_be()
    {
        var result = new ClusterHostOptionsValidator().Validate(null, new ClusterHostOptions
        {
            Membership = "zookeeper",
            ClusterId = " ",
            ServiceId = "",
            SiloPort = 0,
            GatewayPort = 70000,
            ResponseTimeout = TimeSpan.Zero,
            CollectionAge = TimeSpan.FromSeconds(30),
        });

        Assert.Equal(
            [
                "Cluster:Membership is 'zookeeper'; the supported value is 'localhost'.",
                "Cluster:ClusterId must not be empty.",
                "Cluster:ServiceId must not be empty.",
                "Cluster:SiloPort is 0; it must be between 1 and 65535.",
                "Cluster:GatewayPort is 70000; it must be between 1 and 65535.",
                "Cluster:ResponseTimeout is 00:00:00; it must be positive, e.g. '00:00:30'.",
                "Cluster:CollectionAge is 00:00:30; it must be more than one minute, e.g. '00:15:00'.",
            ],
            result.Failures);
        var same = new ClusterHostOptionsValidator().Validate(null, new ClusterHostOptions { SiloPort = 12000, GatewayPort = 12000 });
        Assert.Equal(["Cluster:SiloPort and Cluster:GatewayPort are both 12000; they must differ."], same.Failures);
    }

    [Fact]
    public void A_silo_with_a_bad_cluster_setting_does_not_start_and_says_which()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(RepositoryPaths.Root(), "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Cluster:ResponseTimeout", "-00:00:01");
        });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("Cluster:ResponseTimeout is -00:00:01; it must be positive", error.Message, StringComparison.Ordinal);
    }
}
