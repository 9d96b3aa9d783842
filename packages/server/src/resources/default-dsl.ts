/**
 * The DSL served before any application is deployed: GWE's default `Timeout-30` event (compat.md §9), so a
 * freshly installed server already produces one business event for visitors who stay 30 s on a page.
 */

export const DEFAULT_DSL = `<?xml version="1.0" encoding="UTF-8"?>
<properties>
  <events>
    <event id="TimeoutEvent30" name="Timeout-30" condition="" postcondition="document.hasFocus() === true">
      <trigger name="TimeoutTrigger" element="" action="timer:30000" type="timeout" url="" count="1"/>
    </event>
  </events>
</properties>
`;
