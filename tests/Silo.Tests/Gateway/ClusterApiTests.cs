using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansTenancy.Silo.Cluster;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary><c>GET /admin/cluster</c> on the real silo host, listening on a socket as operators run it.</summary>
public sealed class ClusterApiTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_silo_lists_itself_with_its_registry_hash_activations_and_address()
    {
        using var admin = _host.CreateAdminClient();
        using var client = _host.CreateClient();
        client.DefaultRequestHeaders.Add("Authorization", "Bearer " + _host.StaffKey);
        using var chat = await client.PostAsJsonAsync(new Uri("/v1/chat/completions", UriKind.Relative), new
        {
            model = "openai/gpt-4o-mini",
            messages = new[] { new { role = "user", content = "hello" } },
            max_tokens = 20,
        });
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);

        var cluster = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/cluster", UriKind.Relative));

        var expectedHash = TenantRegistryLoader.Load(_host.TenantsPath).ContentHash;
        var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray().ToArray());
        Assert.Equal("active", silo.GetProperty("status").GetString());
        Assert.True(silo.GetProperty("is_this_silo").GetBoolean());
        Assert.Equal(expectedHash, silo.GetProperty("registry_hash").GetString());
        Assert.False(silo.GetProperty("registry_differs").GetBoolean());
        Assert.Equal(4, silo.GetProperty("tenants").GetInt32());
        Assert.True(silo.GetProperty("activations").GetInt32() > 0);
        Assert.True(silo.GetProperty("uptime_seconds").GetInt64() >= 0);
        Assert.Matches(@"^127\.0\.0\.1:\d+@\d+$", silo.GetProperty("address").GetString());
        Assert.Equal(ThisSilo.ProductVersion, silo.GetProperty("version").GetString());
        Assert.Contains(_host.SocketAddress!.ToString().TrimEnd('/'), silo.GetProperty("http_addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.False(silo.TryGetProperty("problem", out _));
        Assert.Equal(expectedHash, cluster.GetProperty("registry_hash").GetString());
        Assert.True(cluster.GetProperty("registries_agree").GetBoolean());
    }

    [Fact]
    public async Task A_reload_that_changes_a_limit_changes_the_reported_hash()
    {
        using var admin = _host.CreateAdminClient();
        var before = await RegistryHashAsync(admin);

        await File.WriteAllTextAsync(Path.Combine(_host.TenantsPath, "acme", "policy_overrides.yaml"), "requests_per_minute: 1234\n");
        using var reload = await admin.PostAsync(new Uri("/admin/tenants/reload", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        var after = await RegistryHashAsync(admin);

        Assert.NotEqual(before, after);
        Assert.Equal(TenantRegistryLoader.Load(_host.TenantsPath).ContentHash, after);
    }

    [Fact]
    public async Task The_cluster_is_an_operator_endpoint()
    {
        using var anonymous = _host.CreateClient();
        using var wrongKey = _host.CreateClient();
        wrongKey.DefaultRequestHeaders.Add("Authorization", "Bearer not-the-admin-key");

        using var withoutKey = await anonymous.GetAsync(new Uri("/admin/cluster", UriKind.Relative));
        using var withWrongKey = await wrongKey.GetAsync(new Uri("/admin/cluster", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, withoutKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withWrongKey.StatusCode);
        Assert.Equal("application/problem+json", withoutKey.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<string?> RegistryHashAsync(HttpClient admin)
    {
        var cluster = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/cluster", UriKind.Relative));
        return Assert.Single(cluster.GetProperty("silos").EnumerateArray().ToArray()).GetProperty("registry_hash").GetString();
    }
}
