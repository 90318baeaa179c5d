using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

public sealed class CallerAuthenticationTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_unknown_api_key_is_401_with_an_openai_error_body()
    {
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(Chat("sk-not-registered-0000"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
    }

    [Fact]
    public async Task A_tenant_key_is_refused_by_admin_endpoints()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/tenants") { Headers = { { "Authorization", "Bearer " + _host.StaffKey } } };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_tenant_key_naming_another_tenant_in_headers_is_403()
    {
        using var client = _host.CreateClient();
        using var request = Chat(_host.StaffKey);
        request.Headers.Add("X-Tenant", "broke");
        request.Headers.Add("X-Workspace", "main");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal("context_not_allowed", error.GetProperty("code").GetString());
        Assert.Contains("acme:staff", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tenant_key_naming_its_own_workspace_in_headers_is_served()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Authorization", "Bearer " + _host.SupportKey } } };
        request.Headers.Add("X-Tenant", "acme");
        request.Headers.Add("X-Workspace", "support");

        var ids = await ModelIds(client, request);

        Assert.Equal(["openai/gpt-4o-mini"], ids);
    }

    [Fact]
    public async Task A_tenant_key_naming_another_workspace_by_guild_is_403()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Authorization", "Bearer " + _host.StaffKey } } };
        request.Headers.Add("X-Discord-Guild-Id", GatewayHost.SupportGuild);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Context_headers_without_the_admin_key_are_401()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Tenant", "acme");
        request.Headers.Add("X-Workspace", "staff");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("admin_key_required", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_wrong_admin_key_header_is_401_even_with_a_valid_tenant_key()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Authorization", "Bearer " + _host.StaffKey } } };
        request.Headers.Add("X-Admin-Key", "not-the-admin-key-0123456789");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_admin_key_with_an_unregistered_workspace_is_403_naming_it()
    {
        using var client = _host.CreateClient();
        using var request = Admin(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Tenant", "acme");
        request.Headers.Add("X-Workspace", "nowhere");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("acme:nowhere", (await ErrorOf(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_key_with_an_unknown_guild_is_403()
    {
        using var client = _host.CreateClient();
        using var request = Admin(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Discord-Guild-Id", "999999999999999999");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("unknown_guild", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Models_lists_the_callers_allowed_models_with_prices()
    {
        using var client = _host.CreateClient();

        var staff = await ModelIds(client, new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Authorization", "Bearer " + _host.StaffKey } } });
        var support = await ModelIds(client, new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Authorization", "Bearer " + _host.SupportKey } } });
        using var byGuild = Admin(HttpMethod.Get, "/v1/models");
        byGuild.Headers.Add("X-Discord-Guild-Id", GatewayHost.SupportGuild);
        var supportByGuild = await ModelIds(client, byGuild);

        Assert.Equal(["openai/gpt-4o", "openai/gpt-4o-mini"], staff);
        Assert.Equal(["openai/gpt-4o-mini"], support);
        Assert.Equal(support, supportByGuild);
    }

    [Fact]
    public async Task Models_entries_have_the_openai_shape_and_per_token_prices()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "Authorization", "Bearer " + _host.SupportKey } } };

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("list", body.GetProperty("object").GetString());
        var model = Assert.Single(body.GetProperty("data").EnumerateArray());
        Assert.Equal("model", model.GetProperty("object").GetString());
        Assert.Equal("openai", model.GetProperty("owned_by").GetString());
        Assert.True(decimal.Parse(model.GetProperty("pricing").GetProperty("prompt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task Without_an_allow_list_models_lists_the_price_catalog()
    {
        using var client = _host.CreateClient();

        var ids = await ModelIds(client, new HttpRequestMessage(HttpMethod.Get, "/v1/models"));

        Assert.True(ids.Count > 5, $"expected the catalog for default:main, got {ids.Count} model(s)");
        Assert.Contains("openai/gpt-4o-mini", ids);
    }

    [Fact]
    public async Task The_openai_client_lists_and_gets_models_and_a_model_outside_the_list_is_404()
    {
        var models = _host.OpenAi(_host.SupportKey).GetOpenAIModelClient();

        var list = (await models.GetModelsAsync()).Value;
        var one = (await models.GetModelAsync("openai/gpt-4o-mini")).Value;
        var missing = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => models.GetModelAsync("openai/gpt-4o"));

        Assert.Equal(["openai/gpt-4o-mini"], list.Select(m => m.Id));
        Assert.Equal("openai", one.OwnedBy);
        Assert.Equal(404, missing.Status);
    }

    private static HttpRequestMessage Chat(string? apiKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } }),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("Authorization", "Bearer " + apiKey);
        }

        return request;
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path) =>
        new(method, path) { Headers = { { "Authorization", "Bearer " + GatewayHost.AdminKey } } };

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");

    private static async Task<List<string>> ModelIds(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return [.. body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];
        }
    }
}
