namespace OrleansTenancy.TestSupport;

/// <summary>The assembly that holds the shared test support types (xunit discoverers are found by name).</summary>
internal static class TestSupportAssembly
{
    public const string Name = "OrleansTenancy.Client.Tests";
}
