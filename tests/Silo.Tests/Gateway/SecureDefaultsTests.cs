using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>
/// /metrics and the Orleans dashboard are guarded like /admin, and callers without credentials are served as default:main only from this machine
/// (unless Tenancy:AnonymousCallers says otherwise).
/// </summary>
public sealed class SecureDefaultsTests
{
    private const string Remote = "203.0.113.7";

    [Fact]
    public async Task With_an_admin_key_metrics_require_it()
    {
        await using var host = await GatewayHost.StartAsync();
        using var anonymous = host.CreateClient();
        using var admin = host.CreateAdminClient();

        using var refused = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var served = await admin.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("admin key", (await BudgetApiTests.ProblemOf(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("# TYPE", await served.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_admin_key_metrics_admin_and_the_Orleans_dashboard_answer_loopback_callers_only()
    {
        await using var host = await GatewayHost.StartAsync(adminKey: false);
        using var remote = host.CreateClientFrom(Remote);
        using var local = host.CreateClientFrom("127.0.0.1");

        using var remoteMetrics = await remote.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var remoteAdmin = await remote.GetAsync(new Uri("/admin/tenants", UriKind.Relative));
        using var remoteOrleans = await remote.GetAsync(new Uri("/dashboard/orleans/ClusterStats", UriKind.Relative));
        using var localMetrics = await local.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var localOrleans = await local.GetAsync(new Uri("/dashboard/orleans/ClusterStats", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, remoteMetrics.StatusCode);
        Assert.Contains("loopback", (await BudgetApiTests.ProblemOf(remoteMetrics)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, remoteAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, remoteOrleans.StatusCode);
        Assert.Equal(HttpStatusCode.OK, localMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, localOrleans.StatusCode);
    }

    [Fact]
    public async Task An_anonymous_caller_from_elsewhere_is_401_for_chat_and_memory_and_spends_nothing()
    {
        await using var host = await GatewayHost.StartAsync();
        using var remote = host.CreateClientFrom(Remote);

        using var chat = await remote.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Chat());
        using var memory = await remote.GetAsync(new Uri("/v1/memory/secret", UriKind.Relative));
        using var models = await remote.GetAsync(new Uri("/v1/models", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, chat.StatusCode);
        Assert.Equal("anonymous_not_allowed", (await ErrorShapeTests.OpenAiErrorOf(chat)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, memory.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, models.StatusCode);
        Assert.Equal(0, host.Simulator.Requests.Count);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData(Remote, true)]
    public async Task Loopback_callers_and_the_admin_key_keep_the_default_main_fallback(string from, bool withAdminKey)
    {
        await using var host = await GatewayHost.StartAsync();
        using var client = host.CreateClientFrom(from);
        if (withAdminKey)
        {
            client.DefaultRequestHeaders.Add("Authorization", "Bearer " + GatewayHost.AdminKey);
        }

        using var chat = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Chat());

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("default:main", chat.Headers.GetValues("X-Tenant-Context").Single());
    }

    [Fact]
    public async Task Anonymous_callers_from_anywhere_are_served_when_configured()
    {
        await using var host = await GatewayHost.StartAsync(settings: new Dictionary<string, string> { ["Tenancy:AnonymousCallers"] = "any" });
        using var remote = host.CreateClientFrom(Remote);

        using var chat = await remote.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Chat());

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("default:main", chat.Headers.GetValues("X-Tenant-Context").Single());
    }

    private static JsonContent Chat() =>
        JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 10 });
}
