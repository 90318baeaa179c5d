using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Gateway;

/// <summary>
/// Budget overrides of a wrong type or value are refused naming the field, and none is stored: the class shares one
/// silo, so a refused body that was stored anyway would also show in every test after it.
/// </summary>
public sealed class BudgetBadInputTests(SharedGatewayHost fixture) : IClassFixture<SharedGatewayHost>
{
    private readonly GatewayHost _host = fixture.Host;

    [Theory]
    [InlineData("""{"daily_cap_usd": "5"}""", "daily_cap_usd")]
    [InlineData("""{"max_per_request": "0.5"}""", "max_per_request")]
    [InlineData("""{"enforcement": 2}""", "enforcement")]
    [InlineData("""{"enforcement": "strict"}""", "enforcement")]
    [InlineData("""{"daily_tokens": 1.5}""", "daily_tokens")]
    [InlineData("""{"daily_executions": -1}""", "daily_executions")]
    [InlineData("""{"monthly_tokens": 99999999999999999999999}""", "monthly_tokens")]
    [InlineData("""{"daily_cap_usd": 1e400}""", "daily_cap_usd")]
    [InlineData("""{"alert_thresholds": "50"}""", "alert_thresholds")]
    [InlineData("""{"alert_thresholds": [50, "80"]}""", "alert_thresholds")]
    [InlineData("""{"inherit_global": "yes"}""", "inherit_global")]
    [InlineData("""{"daily_cap_usd": 5, "daily_cap_usd": 6}""", "daily_cap_usd")]
    [InlineData("""[{"daily_cap_usd": 5}]""", "object")]
    [InlineData("""{"daily_cap_usd": 5""", "JSON")]
    [InlineData("", "body")]
    public async Task A_wrong_type_or_value_is_a_400_naming_the_field_and_stores_nothing(string body, string named)
    {
        using var admin = _host.CreateAdminClient();

        using var response = await BudgetApiTests.PutAsync(admin, body);
        var budget = await admin.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants/acme/budget", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, (await BudgetApiTests.ProblemOf(response)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(budget.TryGetProperty("override", out _));
    }
}
