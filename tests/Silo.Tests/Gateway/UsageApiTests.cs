using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>The usage and executions endpoints refuse what they cannot answer quickly, with a body naming the parameter.</summary>
public sealed class UsageApiTests(SharedGatewayHost fixture) : IClassFixture<SharedGatewayHost>
{
    private readonly GatewayHost _host = fixture.Host;

    [Theory]
    [InlineData("from=0001-01-02&to=9999-12-30", "1970-01-01")]
    [InlineData("from=1970-01-01&to=9998-12-31", "366")]
    [InlineData("from=2025-01-01&to=2026-01-02", "366")]
    [InlineData("from=0001-01-01&to=0001-01-01", "1970-01-01")]
    [InlineData("from=9999-12-31&to=9999-12-31", "9998-12-31")]
    [InlineData("from=2026-02-30&to=2026-03-01", "from")]
    [InlineData("from=2026-03-02&to=2026-03-01", "from")]
    [InlineData("from=2026-03-01", "to")]
    [InlineData("period=last_year", "period")]
    [InlineData("period=today&from=2026-03-01&to=2026-03-02", "period")]
    public async Task A_range_beyond_the_cap_or_malformed_is_a_400_naming_the_rule(string query, string named)
    {
        using var admin = _host.CreateAdminClient();

        using var response = await admin.GetAsync(new Uri("/admin/tenants/acme/usage?" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, (await BudgetApiTests.ProblemOf(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_range_of_366_days_is_answered_day_by_day()
    {
        using var admin = _host.CreateAdminClient();

        var usage = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants/acme/usage?from=2024-01-01&to=2024-12-31", UriKind.Relative));

        Assert.Equal(366, usage.GetProperty("by_day").GetArrayLength());
    }

    [Theory]
    [InlineData("page_size=abc", "page_size")]
    [InlineData("page_size=0", "page_size")]
    [InlineData("page_size=201", "page_size")]
    [InlineData("page_size=99999999999999", "page_size")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    public async Task Bad_paging_of_executions_is_a_400_naming_the_parameter(string query, string named)
    {
        using var admin = _host.CreateAdminClient();

        using var response = await admin.GetAsync(new Uri("/admin/tenants/acme/executions?" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, (await BudgetApiTests.ProblemOf(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
