using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Silo.Tests.Hosting;

public sealed class ClusterOptionsTests
{
    [Fact]
    public void The_defaults_are_a_single_localhost_silo_on_orleans_usual_ports_and_they_are_valid()
    {
        var defaults = new ClusterHostOptions();

        Assert.Equal(
            "Membership=localhost, ClusterId=orleans-tenancy, ServiceId=orleans-tenancy, SiloPort=11111, GatewayPort=30000, AdvertisedAddress=<default>, " +
            "ListenOnAnyAddress=False, ProbeTimeout=00:00:01, MissedProbesLimit=3, DeathVotes=2, DeathVoteExpiration=00:00:30, IAmAlivePeriod=00:00:05, " +
            "TableRefreshPeriod=00:00:10, ResponseTimeout=00:00:30, CollectionAge=00:15:00, Kubernetes=False",
            defaults.ToString());
        Assert.True(new ClusterHostOptionsValidator().Validate(null, defaults).Succeeded);

        // A cluster answers sooner: a call to a silo that died fails over instead of waiting half a minute.
        Assert.Equal(TimeSpan.FromSeconds(5), new ClusterHostOptions { Membership = "postgres" }.EffectiveResponseTimeout);
        Assert.Equal(TimeSpan.FromSeconds(12), new ClusterHostOptions { Membership = "postgres", ResponseTimeout = TimeSpan.FromSeconds(12) }.EffectiveResponseTimeout);
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
                "Cluster:Membership is 'zookeeper'; it must be one of 'localhost', 'redis', 'postgres'.",
                "Cluster:ClusterId must not be empty.",
                "Cluster:ServiceId must not be empty.",
                "Cluster:SiloPort is 0; it must be between 1 and 65535.",
                "Cluster:GatewayPort is 70000; it must be between 1 and 65535.",
                "Cluster:ResponseTimeout is 00:00:00; it must be positive, e.g. '00:00:05'.",
                "Cluster:CollectionAge is 00:00:30; it must be more than one minute, e.g. '00:15:00'.",
            ],
            result.Failures);
        var same = new ClusterHostOptionsValidator().Validate(null, new ClusterHostOptions { SiloPort = 12000, GatewayPort = 12000 });
        Assert.Equal(["Cluster:SiloPort and Cluster:GatewayPort are both 12000; they must differ."], same.Failures);
    }

    [Fact]
    public void Shared_membership_needs_its_server_and_says_which_setting_names_it()
    {
        var validator = new ClusterHostOptionsValidator(new TenancyHostOptions { Storage = "postgres", PostgresConnectionString = "Host=db;Database=tenancy" });

        Assert.Equal(
            ["Cluster:RedisConnectionString is required when Cluster:Membership is 'redis', e.g. '127.0.0.1:6379'."],
            validator.Validate(null, new ClusterHostOptions { Membership = "redis" }).Failures);
        Assert.Equal(
            ["Cluster:RedisConnectionString is not a Redis configuration string; write it as 'host:port[,option=value...]', e.g. '127.0.0.1:6379'."],
            validator.Validate(null, new ClusterHostOptions { Membership = "redis", RedisConnectionString = ",password=x" }).Failures);
        Assert.True(validator.Validate(null, new ClusterHostOptions { Membership = "redis", RedisConnectionString = "127.0.0.1:6379" }).Succeeded);

        // PostgreSQL membership defaults to the grain storage's database.
        var postgres = new ClusterHostOptions { Membership = "postgres" };
        Assert.True(validator.Validate(null, postgres).Succeeded);
        Assert.Equal("Host=db;Database=tenancy", ClusterHostOptionsValidator.EffectivePostgresConnectionString(postgres, new TenancyHostOptions { PostgresConnectionString = "Host=db;Database=tenancy" }));
        Assert.Equal(
            ["Cluster:PostgresConnectionString (or Tenancy:PostgresConnectionString) is required when Cluster:Membership is 'postgres'."],
            new ClusterHostOptionsValidator().Validate(null, postgres).Failures);
    }

    [Fact]
    public void A_shared_membership_refuses_storage_of_one_silo_unless_allowed()
    {
        var sqlite = new ClusterHostOptionsValidator(new TenancyHostOptions());
        var redis = new ClusterHostOptions { Membership = "redis", RedisConnectionString = "127.0.0.1:6379" };

        var failure = Assert.Single(sqlite.Validate(null, redis).Failures!);

        Assert.StartsWith("Cluster:Membership is 'redis' but Tenancy:Storage is 'sqlite'", failure, StringComparison.Ordinal);
        Assert.Contains("Set Tenancy:Storage to 'postgres'", failure, StringComparison.Ordinal);
        Assert.Contains("Cluster:AllowLocalStorage", failure, StringComparison.Ordinal);
        redis.AllowLocalStorage = true;
        Assert.True(sqlite.Validate(null, redis).Succeeded);
        Assert.True(sqlite.Validate(null, new ClusterHostOptions()).Succeeded);
    }

    [Fact]
    public void Failure_detection_and_addresses_are_checked_against_each_other()
    {
        var result = new ClusterHostOptionsValidator().Validate(null, new ClusterHostOptions
        {
            AdvertisedAddress = "10.0.0.5",
            ProbeTimeout = TimeSpan.FromSeconds(2),
            MissedProbesLimit = 0,
            DeathVotes = 0,
            DeathVoteExpiration = TimeSpan.FromSeconds(30),
        });
        Assert.Equal(
            [
                "Cluster:AdvertisedAddress and Cluster:ListenOnAnyAddress apply to 'redis' and 'postgres' membership; 'localhost' membership is loopback only.",
                "Cluster:MissedProbesLimit is 0; it must be at least 1.",
                "Cluster:DeathVotes is 0; it must be at least 1.",
            ],
            result.Failures);

        var slow = new ClusterHostOptionsValidator().Validate(null, new ClusterHostOptions { ProbeTimeout = TimeSpan.FromSeconds(5), DeathVoteExpiration = TimeSpan.FromSeconds(30) });
        Assert.Equal(
            ["Cluster:DeathVoteExpiration is 00:00:30; it must be longer than the longest time to miss Cluster:MissedProbesLimit probes (00:01:00: 4 × ProbeTimeout × MissedProbesLimit), or votes expire before they add up."],
            slow.Failures);
        var address = new ClusterHostOptionsValidator().Validate(null, new ClusterHostOptions { Membership = "redis", RedisConnectionString = "r:6379", AdvertisedAddress = "not an address!" });
        Assert.Equal(["Cluster:AdvertisedAddress is 'not an address!'; it must be an IP address or a host name, e.g. '10.0.0.5'."], address.Failures);
    }

    [Fact]
    public void The_logged_settings_name_the_membership_server_but_never_its_password()
    {
        var redis = new ClusterHostOptions { Membership = "redis", RedisConnectionString = "10.1.2.3:6380,password=hunter2-redis" }.ToString();
        var postgres = new ClusterHostOptions { Membership = "postgres", PostgresConnectionString = "Host=db.internal;Port=5433;Database=tenancy;Username=silo;Password=hunter2-pg" }.ToString();

        Assert.StartsWith("Membership=redis, Redis=10.1.2.3:6380", redis, StringComparison.Ordinal);
        Assert.StartsWith("Membership=postgres, Postgres=db.internal:5433/tenancy as silo,", postgres, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", redis + postgres, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silo_clustered_on_redis_with_sqlite_storage_does_not_start_and_says_why()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(RepositoryRoot.Find(), "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", OwnDataDirectory()); // not ./data, which other host tests lock
            b.UseSetting("Cluster:Membership", "redis");
            b.UseSetting("Cluster:RedisConnectionString", "127.0.0.1:6379");
        });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("Cluster:Membership is 'redis' but Tenancy:Storage is 'sqlite'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silo_with_a_bad_cluster_setting_does_not_start_and_says_which()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(RepositoryRoot.Find(), "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", OwnDataDirectory()); // not ./data, which other host tests lock
            b.UseSetting("Cluster:ResponseTimeout", "-00:00:01");
        });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains("Cluster:ResponseTimeout is -00:00:01; it must be positive", error.Message, StringComparison.Ordinal);
    }

    private static string OwnDataDirectory() => Path.Combine(Path.GetTempPath(), "cluster-options-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Kubernetes_hosting_is_switched_on_by_Cluster_Kubernetes_and_outside_a_pod_the_silo_says_what_it_misses()
    {
        var ports = FreePorts.Take(2);
        using var data = new TempTenants();
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(RepositoryRoot.Find(), "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", data.Root);
            b.UseSetting("Cluster:SiloPort", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Cluster:GatewayPort", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("Cluster:Kubernetes", "true");
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("POD_NAMESPACE", error.ToString(), StringComparison.Ordinal);
    }
}
