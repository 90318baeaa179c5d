using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>Runtime tenants over HTTP through the real host: register, list, replace, remove, and bill chat calls to them.</summary>
public sealed class TenantsApiTests(SharedGatewayHost fixture) : IClassFixture<SharedGatewayHost>
{
    private GatewayHost Host => fixture.Host;

    private static string NewId() => $"rt-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task A_registered_tenant_is_created_and_listed_beside_the_yaml_ones_with_its_source()
    {
        using var admin = Host.CreateAdminClient();
        var id = NewId();

        using var created = await SendAsync(admin, HttpMethod.Post, "/admin/tenants",
            $$$"""{"id": "{{{id}}}", "name": "Runtime Co", "workspaces": ["main", "ops"], "limits": {"daily_cap_usd": 4, "monthly_tokens": 100000}, "enforcement": "hard", "inherit_global": false}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/admin/tenants/{id}", created.Headers.Location?.OriginalString);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(id, body.GetProperty("id").GetString());
        Assert.Equal("Runtime Co", body.GetProperty("name").GetString());
        Assert.Equal("runtime", body.GetProperty("source").GetString());
        Assert.Equal(["main", "ops"], body.GetProperty("workspaces").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(4m, body.GetProperty("limits").GetProperty("daily_cap_usd").GetDecimal());
        Assert.Equal("hard", body.GetProperty("limits").GetProperty("enforcement").GetString());
        Assert.False(body.GetProperty("limits").GetProperty("inherit_global").GetBoolean());

        var list = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants", UriKind.Relative));
        var tenants = list.GetProperty("tenants").EnumerateArray().ToList();
        var runtime = tenants.Single(t => t.GetProperty("slug").GetString() == id);
        Assert.Equal("runtime", runtime.GetProperty("source").GetString());
        Assert.Equal(4m, runtime.GetProperty("limits").GetProperty("daily_cap_usd").GetDecimal());
        Assert.Equal(["main", "ops"], runtime.GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("key").GetString()));
        Assert.Equal("yaml", tenants.Single(t => t.GetProperty("slug").GetString() == "acme").GetProperty("source").GetString());
    }

    [Fact]
    public async Task An_id_in_use_is_a_409_naming_the_id_and_its_source()
    {
        using var admin = Host.CreateAdminClient();
        var id = NewId();
        using (var first = await SendAsync(admin, HttpMethod.Post, "/admin/tenants", $$$"""{"id": "{{{id}}}"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }

        using var yaml = await SendAsync(admin, HttpMethod.Post, "/admin/tenants", """{"id": "acme"}""");
        using var runtime = await SendAsync(admin, HttpMethod.Post, "/admin/tenants", $$$"""{"id": "{{{id}}}", "name": "again"}""");

        Assert.Equal(HttpStatusCode.Conflict, yaml.StatusCode);
        var yamlProblem = await BudgetApiTests.ProblemOf(yaml);
        Assert.Equal("yaml", yamlProblem.GetProperty("source").GetString());
        Assert.Contains("'acme'", yamlProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("tenants folder", yamlProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, runtime.StatusCode);
        Assert.Equal("runtime", (await BudgetApiTests.ProblemOf(runtime)).GetProperty("source").GetString());
    }

    [Fact]
    public async Task Put_replaces_a_runtime_tenant_and_refuses_yaml_unknown_and_renamed_ids()
    {
        using var admin = Host.CreateAdminClient();
        var id = NewId();
        using (var created = await SendAsync(admin, HttpMethod.Post, "/admin/tenants", $$$"""{"id": "{{{id}}}", "limits": {"daily_cap_usd": 1}}"""))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var replaced = await SendAsync(admin, HttpMethod.Put, $"/admin/tenants/{id}", """{"name": "Renamed", "workspaces": ["ops"], "limits": {"daily_cap_usd": 2}}""");
        using var yaml = await SendAsync(admin, HttpMethod.Put, "/admin/tenants/acme", """{"name": "Acme"}""");
        using var unknown = await SendAsync(admin, HttpMethod.Put, $"/admin/tenants/{NewId()}", """{"name": "nobody"}""");
        using var renamed = await SendAsync(admin, HttpMethod.Put, $"/admin/tenants/{id}", """{"id": "other"}""");
        var budget = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/admin/tenants/{id}/budget", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var body = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Renamed", body.GetProperty("name").GetString());
        Assert.Equal(["ops"], body.GetProperty("workspaces").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(2m, budget.GetProperty("configured_limits").GetProperty("daily_cap_usd").GetDecimal());
        Assert.Equal(HttpStatusCode.Conflict, yaml.StatusCode);
        Assert.Equal("yaml", (await BudgetApiTests.ProblemOf(yaml)).GetProperty("source").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await BudgetApiTests.ProblemOf(unknown);
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.True((await BudgetApiTests.ProblemOf(renamed)).GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task Delete_removes_a_runtime_tenant_once_and_refuses_a_yaml_one()
    {
        using var admin = Host.CreateAdminClient();
        var id = NewId();
        using (var created = await SendAsync(admin, HttpMethod.Post, "/admin/tenants", $$$"""{"id": "{{{id}}}"}"""))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var removed = await admin.DeleteAsync(new Uri($"/admin/tenants/{id}", UriKind.Relative));
        using var again = await admin.DeleteAsync(new Uri($"/admin/tenants/{id}", UriKind.Relative));
        using var yaml = await admin.DeleteAsync(new Uri("/admin/tenants/acme", UriKind.Relative));
        using var budget = await admin.GetAsync(new Uri($"/admin/tenants/{id}/budget", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains($"'{id}'", (await BudgetApiTests.ProblemOf(again)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, yaml.StatusCode);
        Assert.Equal("yaml", (await BudgetApiTests.ProblemOf(yaml)).GetProperty("source").GetString());
        Assert.Equal(HttpStatusCode.NotFound, budget.StatusCode);
    }

    [Theory]
    [InlineData("""{"id": "Bad Id"}""", "id")]
    [InlineData("""{"name": "no id"}""", "id")]
    [InlineData("""{"id": 5}""", "id")]
    [InlineData("""{"id": "x-1", "nmae": "typo"}""", "nmae")]
    [InlineData("""{"id": "x-1", "name": ["list"]}""", "name")]
    [InlineData("""{"id": "x-1", "workspaces": "main"}""", "workspaces")]
    [InlineData("""{"id": "x-1", "workspaces": ["main", 7]}""", "workspaces[1]")]
    [InlineData("""{"id": "x-1", "workspaces": ["main", "Not Valid"]}""", "workspaces[1]")]
    [InlineData("""{"id": "x-1", "limits": 5}""", "limits")]
    [InlineData("""{"id": "x-1", "limits": {"daily_cap_usd": "5"}}""", "limits.daily_cap_usd")]
    [InlineData("""{"id": "x-1", "limits": {"dialy_cap_usd": 5}}""", "limits.dialy_cap_usd")]
    [InlineData("""{"id": "x-1", "limits": {"daily_cap_usd": 5, "monthly_cap_usd": 1}}""", "limits")]
    [InlineData("""{"id": "x-1", "enforcement": "strict"}""", "enforcement")]
    [InlineData("""{"id": "x-1", "enforcement": "hard", "limits": {"enforcement": "soft"}}""", "enforcement")]
    [InlineData("""{"id": "x-1", "inherit_global": "yes"}""", "inherit_global")]
    [InlineData("""{"id": "x-1", "id": "x-2"}""", "id")]
    [InlineData("""[{"id": "x-1"}]""", "body")]
    [InlineData("""{"id": "x-1" """, "body")]
    public async Task A_wrong_field_is_a_400_naming_it_and_registers_nothing(string body, string field)
    {
        using var admin = Host.CreateAdminClient();

        using var response = await SendAsync(admin, HttpMethod.Post, "/admin/tenants", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await BudgetApiTests.ProblemOf(response);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error names '{field}': {problem}");
        var list = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants", UriKind.Relative));
        Assert.DoesNotContain(list.GetProperty("tenants").EnumerateArray(), t => t.GetProperty("slug").GetString() is "x-1" or "x-2");
    }

    [Fact]
    public async Task The_routes_need_the_admin_key()
    {
        using var anonymous = Host.CreateClient();
        var id = NewId();

        using var post = await SendAsync(anonymous, HttpMethod.Post, "/admin/tenants", $$$"""{"id": "{{{id}}}"}""");
        using var put = await SendAsync(anonymous, HttpMethod.Put, "/admin/tenants/acme", "{}");
        using var delete = await anonymous.DeleteAsync(new Uri("/admin/tenants/acme", UriKind.Relative));

        Assert.All([post, put, delete], r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden }));
        using var admin = Host.CreateAdminClient();
        var list = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants", UriKind.Relative));
        Assert.DoesNotContain(list.GetProperty("tenants").EnumerateArray(), t => t.GetProperty("slug").GetString() == id);
    }

    [Fact]
    public async Task A_chat_call_is_billed_to_a_runtime_tenant_and_its_hard_cap_refuses_the_next()
    {
        using var admin = Host.CreateAdminClient();
        var id = NewId();
        using (var created = await SendAsync(admin, HttpMethod.Post, "/admin/tenants", $$$"""{"id": "{{{id}}}", "limits": {"daily_executions": 1}, "enforcement": "hard", "inherit_global": false}"""))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using var client = Host.CreateClient();
        using var first = await client.SendAsync(Chat(id));
        await Host.SettledAsync();
        using var second = await client.SendAsync(Chat(id));
        var budget = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/admin/tenants/{id}/budget", UriKind.Relative));
        var usage = await admin.GetFromJsonAsync<JsonElement>(new Uri($"/admin/tenants/{id}/usage?period=today", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, second.StatusCode);
        var executions = budget.GetProperty("status").GetProperty("limits").EnumerateArray().Single(l => l.GetProperty("metric").GetString() == "executions" && l.GetProperty("period").GetString() == "day" && (!l.TryGetProperty("workspace", out var workspace) || workspace.ValueKind == JsonValueKind.Null));
        Assert.Equal(1, executions.GetProperty("spent").GetDecimal());
        Assert.Equal(id, usage.GetProperty("tenant").GetString());
        Assert.Equal(1, usage.GetProperty("totals").GetProperty("executions").GetInt32());
    }

    private static HttpRequestMessage Chat(string tenant) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Headers = { { "Authorization", "Bearer " + GatewayHost.AdminKey }, { "X-Tenant", tenant }, { "X-Workspace", "main" } },
        Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 20 }),
    };

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string body) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
}
