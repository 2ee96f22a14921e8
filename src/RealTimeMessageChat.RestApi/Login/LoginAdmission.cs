namespace RealTimeMessageChat.RestApi.Login;

/// <summary>The answer of <see cref="ILoginAttemptLimiter.TryAcquire"/>.</summary>
/// <param name="Admitted">True when the attempt may go on.</param>
/// <param name="RetryAfter">When refused, how long until an attempt is allowed again (whole seconds, at least 1).</param>
/// <param name="LimitedBy">When refused, "account" or "address", for the log.</param>
internal readonly record struct LoginAdmission(bool Admitted, TimeSpan RetryAfter, string? LimitedBy)
{
    public static LoginAdmission Allowed => new(true, TimeSpan.Zero, null);
}
