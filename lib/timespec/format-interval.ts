// Human durations as rdiff-backup prints them in statistics (upstream `inttopretty`): "2 hours 1 minute 5 seconds".

/** Formats a number of seconds like rdiff-backup: hours, minutes, then seconds (2 decimals if fractional). */
export function formatInterval(seconds: number): string {
  const parts: string[] = [];
  const hours = Math.floor(seconds / 3600);
  let rest = seconds - hours * 3600;
  if (hours > 1) parts.push(`${hours} hours`);
  else if (hours === 1) parts.push("1 hour");
  const minutes = Math.floor(rest / 60);
  rest -= minutes * 60;
  if (minutes > 1) parts.push(`${minutes} minutes`);
  else if (minutes === 1) parts.push("1 minute");
  if (rest === 1) parts.push("1 second");
  else if (parts.length === 0 || rest > 1) {
    parts.push(Number.isInteger(rest) ? `${rest} seconds` : `${rest.toFixed(2)} seconds`);
  }
  return parts.join(" ");
}
