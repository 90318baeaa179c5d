using OrleansTenancy.Silo.Cluster;

namespace OrleansTenancy.Silo.Tests.Cluster;

/// <summary>The rule that flags a silo whose tenants differ from the others'.</summary>
public sealed class RegistryAgreementTests
{
    [Theory]
    [InlineData("a", "a")]
    [InlineData("a,a", "a")]
    [InlineData("a,a,b", "a")]
    [InlineData("b,a,a", "a")]
    [InlineData("a,a,b,c", "a")]
    [InlineData("a,b", null)]
    [InlineData("a,a,b,b", null)]
    [InlineData("a,b,c", null)]
    [InlineData("", null)]
    public void The_majority_is_the_hash_more_silos_report_than_any_other(string reported, string? majority) =>
        Assert.Equal(majority, RegistryAgreement.Majority(reported.Split(',', StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void A_silo_differs_when_it_reported_another_hash_or_there_is_no_majority()
    {
        Assert.False(RegistryAgreement.Differs("a", "a"));
        Assert.True(RegistryAgreement.Differs("b", "a"));
        Assert.True(RegistryAgreement.Differs("a", null));
        Assert.False(RegistryAgreement.Differs(null, "a"));
        Assert.False(RegistryAgreement.Differs(null, null));
    }
}
