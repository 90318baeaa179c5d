using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>Every error has a body in the documented shape: OpenAI's under /v1, ProblemDetails elsewhere.</summary>
public sealed class ErrorShapeTests(SharedGatewayHost fixture) : IClassFixture<SharedGatewayHost>
{
    private readonly GatewayHost _host = fixture.Host;

    [Theory]
    [InlineData("{\"text\": ", "text")]
    [InlineData("{\"text\": 5}", "text")]
    [InlineData("{\"text\": \"x\", \"metadata\": {\"lang\": 1}}", "metadata")]
    [InlineData("{\"text\": \"x\", \"metadata\": [\"a\"]}", "metadata")]
    [InlineData("{\"text\": \"x\", \"id\": 7}", "id")]
    [InlineData("{\"txt\": \"x\"}", "txt")]
    [InlineData("[\"x\"]", "object")]
    [InlineData("", "body")]
    [InlineData("{}", "text")]
    public async Task A_bad_memory_body_is_a_400_in_the_openai_shape_naming_the_field(string body, string named)
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/memory/faq")
        {
            Headers = { { "Authorization", "Bearer " + _host.StaffKey } },
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await OpenAiErrorOf(response);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains(named, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_body_sent_as_a_form_is_still_read_as_json()
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/memory/faq")
        {
            Headers = { { "Authorization", "Bearer " + _host.StaffKey } },
            Content = new StringContent("{\"text\": \"curl -d sends a form content type\"}", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/v1/nothing-here", 404)]
    [InlineData("DELETE", "/v1/chat/completions", 405)]
    public async Task Unknown_routes_and_methods_under_v1_answer_in_the_openai_shape(string method, string path, int status)
    {
        using var client = _host.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Headers = { { "Authorization", "Bearer " + _host.StaffKey } } };

        using var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(path, (await OpenAiErrorOf(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/admin/nothing-here", 404)]
    [InlineData("DELETE", "/admin/tenants", 405)]
    [InlineData("GET", "/nothing-here", 404)]
    public async Task Unknown_routes_and_methods_elsewhere_answer_with_problem_details(string method, string path, int status)
    {
        using var client = _host.CreateAdminClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(path, (await BudgetApiTests.ProblemOf(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The <c>error</c> object of an OpenAI-shaped error; fails when the body is empty or of another shape.</summary>
    internal static async Task<JsonElement> OpenAiErrorOf(HttpResponseMessage response)
    {
        var raw = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrWhiteSpace(raw), $"HTTP {(int)response.StatusCode} came with an empty body.");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(raw).RootElement.GetProperty("error").Clone();
        foreach (var field in new[] { "message", "type", "code" })
        {
            Assert.Equal(JsonValueKind.String, error.GetProperty(field).ValueKind);
        }

        Assert.True(error.TryGetProperty("param", out _), "The error has no 'param'.");
        return error;
    }
}
