namespace OrleansTenancy.TestSupport;

/// <summary>What an id made for a call that brings none looks like, for tests on every path that makes one.</summary>
public static class RequestIdShape
{
    /// <summary>A UUID version 7 in 32 lowercase hex digits: 12 of time, the version nibble 7, the RFC 9562 variant.</summary>
    public const string Version7 = "^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$";
}
