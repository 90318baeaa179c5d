using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

public sealed class MemoryApiTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Add_retrieve_list_and_delete_stay_in_the_callers_workspace()
    {
        using var client = _host.CreateClient();

        using var added = await client.SendAsync(Request(HttpMethod.Post, "/v1/memory/faq", _host.StaffKey, new { text = "Opening hours are 9 to 5", metadata = new Dictionary<string, string> { ["lang"] = "en" } }));
        using var other = await client.SendAsync(Request(HttpMethod.Post, "/v1/memory/faq", _host.StaffKey, new { text = "Öffnungszeiten 9 bis 17 Uhr", metadata = new Dictionary<string, string> { ["lang"] = "de" } }));
        using var supportAdded = await client.SendAsync(Request(HttpMethod.Post, "/v1/memory/faq", _host.SupportKey, new { text = "Support-only opening hours" }));

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        Assert.Equal(HttpStatusCode.Created, supportAdded.StatusCode);
        var entry = await added.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("acme:staff:faq", entry.GetProperty("namespace").GetString());
        Assert.Equal("faq", entry.GetProperty("name").GetString());

        var staffHits = await Data(client, Request(HttpMethod.Get, "/v1/memory/faq?q=opening", _host.StaffKey));
        var german = await Data(client, Request(HttpMethod.Get, "/v1/memory/faq?meta.lang=de", _host.StaffKey));
        var supportHits = await Data(client, Request(HttpMethod.Get, "/v1/memory/faq?q=opening", _host.SupportKey));
        Assert.Equal(["Opening hours are 9 to 5"], staffHits.Select(e => e.GetProperty("text").GetString()));
        Assert.Equal(["Öffnungszeiten 9 bis 17 Uhr"], german.Select(e => e.GetProperty("text").GetString()));
        Assert.Equal(["Support-only opening hours"], supportHits.Select(e => e.GetProperty("text").GetString()));

        var namespaces = await Data(client, Request(HttpMethod.Get, "/v1/memory", _host.StaffKey));
        var faq = Assert.Single(namespaces);
        Assert.Equal("faq", faq.GetProperty("name").GetString());
        Assert.Equal(2, faq.GetProperty("entry_count").GetInt32());

        var id = entry.GetProperty("id").GetString();
        using var deleted = await client.SendAsync(Request(HttpMethod.Delete, $"/v1/memory/faq/{id}", _host.StaffKey));
        using var again = await client.SendAsync(Request(HttpMethod.Delete, $"/v1/memory/faq/{id}", _host.StaffKey));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Empty(await Data(client, Request(HttpMethod.Get, "/v1/memory/faq?q=opening", _host.StaffKey)));
    }

    [Theory]
    [InlineData("acme:support:faq")]
    [InlineData("broke:main:faq")]
    [InlineData("acme:staff")]
    public async Task A_full_namespace_of_another_workspace_is_403(string foreign)
    {
        using var client = _host.CreateClient();
        using (var seed = await client.SendAsync(Request(HttpMethod.Post, "/v1/memory/faq", _host.SupportKey, new { text = "secret" })))
        {
            Assert.Equal(HttpStatusCode.Created, seed.StatusCode);
        }

        using var add = await client.SendAsync(Request(HttpMethod.Post, "/v1/memory/" + foreign, _host.StaffKey, new { text = "x" }));
        using var read = await client.SendAsync(Request(HttpMethod.Get, "/v1/memory/" + foreign, _host.StaffKey));
        using var delete = await client.SendAsync(Request(HttpMethod.Delete, $"/v1/memory/{foreign}/any", _host.StaffKey));

        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        var error = (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("permission_denied", error.GetProperty("type").GetString());
        Assert.Single(await Data(client, Request(HttpMethod.Get, "/v1/memory/faq", _host.SupportKey)));
    }

    [Fact]
    public async Task The_callers_own_full_namespace_is_accepted()
    {
        using var client = _host.CreateClient();

        using var add = await client.SendAsync(Request(HttpMethod.Post, "/v1/memory/acme:staff:notes", _host.StaffKey, new { text = "own" }));
        var byShortName = await Data(client, Request(HttpMethod.Get, "/v1/memory/notes", _host.StaffKey));

        Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        Assert.Equal("own", Assert.Single(byShortName).GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_trusted_caller_reaches_the_workspace_it_names()
    {
        using var client = _host.CreateClient();
        using (var seed = await client.SendAsync(Request(HttpMethod.Post, "/v1/memory/faq", _host.SupportKey, new { text = "support entry" })))
        {
            Assert.Equal(HttpStatusCode.Created, seed.StatusCode);
        }

        using var request = Request(HttpMethod.Get, "/v1/memory/faq", GatewayHost.AdminKey);
        request.Headers.Add("X-Discord-Guild-Id", GatewayHost.SupportGuild);
        var entries = await Data(client, request);

        Assert.Equal("support entry", Assert.Single(entries).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("ten")]
    public async Task A_limit_outside_1_to_100_is_400_naming_it(string limit)
    {
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(Request(HttpMethod.Get, "/v1/memory/faq?limit=" + limit, _host.StaffKey));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("limit", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task An_unknown_key_cannot_use_memory()
    {
        using var client = _host.CreateClient();

        using var response = await client.SendAsync(Request(HttpMethod.Get, "/v1/memory", "sk-unknown-0000"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string apiKey, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Headers = { { "Authorization", "Bearer " + apiKey } } };
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    private static async Task<List<JsonElement>> Data(HttpClient client, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return [.. body.GetProperty("data").EnumerateArray()];
        }
    }
}
