using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using OrleansTenancy.Silo.Dashboard;

namespace OrleansTenancy.Dashboard.Tests.Access;

/// <summary>The <c>Dashboard</c> settings the README documents, through the silo host.</summary>
public sealed class DashboardSettingsTests
{
    [Fact]
    public async Task The_refresh_interval_setting_reaches_the_page()
    {
        await using var silo = new ExampleSilo(ExampleSilo.AdminKey, new Dictionary<string, string> { ["Dashboard:RefreshInterval"] = "00:00:02" });
        using var client = silo.Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ExampleSilo.AdminKey);
        using var response = await client.SendAsync(request);
        Assert.Contains("data-refresh-ms=\"2000\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Dashboard:RefreshInterval", "00:00:00.500")]
    [InlineData("Dashboard:SessionLifetime", "31.00:00:00")]
    public async Task A_setting_out_of_range_stops_the_silo_naming_it(string setting, string value)
    {
        await using var silo = new ExampleSilo(ExampleSilo.AdminKey, new Dictionary<string, string> { [setting] = value });
        var error = Assert.Throws<OptionsValidationException>(() => silo.Server);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_those_the_readme_states()
    {
        var defaults = new DashboardOptions();
        Assert.Equal(TimeSpan.FromSeconds(5), defaults.RefreshInterval);
        Assert.Equal(TimeSpan.FromHours(12), defaults.SessionLifetime);
    }
}
