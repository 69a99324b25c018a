import { readRecord } from "../../src/core/json-guards";
import { useWorld } from "../support/use-world";
import { WORLD_INBOX_ID } from "../support/world";

const closedAllWeek = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day_of_week: day, closed_all_day: true, open_all_day: false, open_hour: null, open_minutes: null, close_hour: null, close_minutes: null }));

describe("scenario 5: no agent can take the conversation", () => {
  describe("nobody online", () => {
    const world = useWorld({ handover: { checkAvailability: true } });

    it("takes the unavailable exit and creates nothing in Chatwoot", async () => {
      const w = world();
      w.chatwoot.addAgent({ id: 8, name: "Ben", email: "ben@example.com", availability: "offline" });
      w.chatwoot.store.inbox(WORLD_INBOX_ID).memberIds.push(8);
      const user = w.newUser();
      await w.say(user, "agent");
      expect(w.endpoint.seenBy(user).at(-1)?.text.trim()).toBe("No agent is available right now.");
      expect(readRecord(user.context.chatwoot)).toMatchObject({ status: "unavailable", unavailable: { reason: "no_agent_online" } });
      expect(w.chatwoot.store.conversations).toEqual([]);
    });
  });

  describe("outside business hours", () => {
    const world = useWorld({ handover: { respectBusinessHours: true }, inbox: { workingHoursEnabled: true, timezone: "Europe/Berlin", workingHours: closedAllWeek, outOfOfficeMessage: "We are back on Monday at 9:00." } });

    it("takes the unavailable exit with the inbox's out-of-office text", async () => {
      const w = world();
      const user = w.newUser();
      await w.say(user, "agent");
      expect(w.endpoint.seenBy(user).at(-1)?.text).toBe("No agent is available right now. We are back on Monday at 9:00.");
      expect(readRecord(user.context.chatwoot)).toMatchObject({ unavailable: { reason: "outside_business_hours", outOfOfficeMessage: "We are back on Monday at 9:00." } });
      expect(w.chatwoot.store.conversations).toEqual([]);
    });
  });
});
