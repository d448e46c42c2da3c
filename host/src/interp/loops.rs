//! Loop shaping, after translation: two rewrites of the finished code that make loops cheaper to run.
//!
//! **Back edges threaded through the loop's test** ([`thread_back_edges`]). A `while`-shaped loop ends in
//! an unconditional `br` to its head, where a compare-and-branch tests whether to go on. The `br` costs a
//! dispatch per iteration; a copy of the test in its place, followed by a `br` to the instruction after the
//! test, costs none on the path where the test branches.
//!
//! **Induction variables in the accumulator** ([`carry_induction`]). A counted loop ends in a fused latch
//! (`x += step; if x < n: jump to the head`, `ir::fuse_step`). With `x` in its frame slot only, every
//! iteration stores `x` and the next one loads it back: the loop-carried dependency runs through memory
//! and waits for store-to-load forwarding twice per iteration (the body reads `x`, the latch reads it).
//! When the body leaves the accumulator alone, `x` can travel in it instead: the latch, in mode `A`,
//! takes `x` from the accumulator and leaves the new `x` there as well as in its slot, the body's readers
//! of `x` take it from the accumulator, and a `LoadAcc` placed just before the loop's head puts `x` there
//! on the way in. The slot stays current, so everything else still reads `x` from it.

use super::ir::{self, Instr, S};

/// How many jumps land on each instruction of `code` (a `br_table` lands on each of its entries; a target
/// outside the code, which `translate` refuses before linking, counts nowhere).
pub(super) fn landings(code: &[Instr]) -> Vec<u32> {
    let mut landings = vec![0u32; code.len()];
    for (pc, instr) in code.iter().enumerate() {
        if let Some(&mut t) = instr.clone().target_mut()
            && let Some(c) = landings.get_mut(t as usize)
        {
            *c += 1;
        }
        if let Instr::BrTable { n: entries, .. } = *instr {
            for c in landings.iter_mut().skip(pc + 1).take(entries as usize + 1) {
                *c += 1;
            }
        }
    }
    landings
}

/// Drop every `br` to the instruction right after it (an `if` arm or a block that ends where its target
/// begins), in mode 0, and move branch targets to match: a jump to a dropped `br` lands on the
/// instruction after it, where the `br` went. A `ConstBr` or `CopyBr` to the next instruction becomes
/// its move. Entries of a `br_table` stay: the table finds them by position.
pub(super) fn drop_branches_to_next(code: &mut Vec<Instr>, modes: &mut Vec<u8>) {
    // The entries of each `br_table` (usually none).
    let tables: Vec<std::ops::RangeInclusive<usize>> = code
        .iter()
        .enumerate()
        .filter_map(|(pc, instr)| match *instr {
            Instr::BrTable { n, .. } => Some(pc + 1..=pc + 1 + n as usize),
            _ => None,
        })
        .collect();
    // `new_pc[pc]`: where the instruction at `pc` ends up (for a dropped one: the one after it).
    let mut new_pc = Vec::with_capacity(code.len());
    let mut kept = Vec::with_capacity(code.len());
    let mut dropped = 0;
    for (pc, instr) in code.iter_mut().enumerate() {
        new_pc.push(pc as u32 - dropped);
        let next = pc as u32 + 1;
        let entry = tables.iter().any(|entries| entries.contains(&pc));
        let drop = !entry && modes[pc] == 0 && matches!(*instr, Instr::Br { t } if t == next);
        match *instr {
            _ if entry => {}
            Instr::ConstBr { d, v, t } if t == next => *instr = Instr::Const32 { d, v },
            Instr::CopyBr { d, s, t } if t == next => *instr = Instr::Copy { d, s },
            _ => {}
        }
        dropped += drop as u32;
        kept.push(!drop);
    }
    if dropped == 0 {
        return;
    }
    let mut flags = kept.iter();
    code.retain(|_| *flags.next().expect("one flag per instruction"));
    let mut flags = kept.iter();
    modes.retain(|_| *flags.next().expect("one flag per mode"));
    for instr in code.iter_mut() {
        if let Some(t) = instr.target_mut() {
            *t = new_pc[*t as usize];
        }
    }
}

/// Insert each `(at, instr)` of `inserts` (sorted by `at`) before the instruction at `at`, with mode 0,
/// and move every branch target (the inserted instructions' too, given in the old numbering) past the
/// insertions at or before it: a jump to `at` lands on the instruction that was there, not on the
/// inserted one.
fn insert(code: &mut Vec<Instr>, modes: &mut Vec<u8>, inserts: &[(usize, Instr)]) {
    if inserts.is_empty() {
        return;
    }
    let moved = |t: u32| t + inserts.partition_point(|&(at, _)| at <= t as usize) as u32;
    let mut new_code = Vec::with_capacity(code.len() + inserts.len());
    let mut new_modes = Vec::with_capacity(code.len() + inserts.len());
    let mut next = inserts.iter().peekable();
    for (pc, (instr, mode)) in code.drain(..).zip(modes.drain(..)).enumerate() {
        while let Some(&&(at, extra)) = next.peek()
            && at == pc
        {
            new_code.push(extra);
            new_modes.push(0);
            next.next();
        }
        new_code.push(instr);
        new_modes.push(mode);
    }
    for instr in &mut new_code {
        if let Some(t) = instr.target_mut() {
            *t = moved(*t);
        }
    }
    *code = new_code;
    *modes = new_modes;
}

/// Replace every backward `br` to a compare-and-branch (in mode 0: its operands in slots), or to a
/// block's `Meter` or an interrupt check followed by one, by a copy of those instructions followed by a
/// `br` to the instruction after the test. (The meter's copy charges what the original would have.)
pub(super) fn thread_back_edges(code: &mut Vec<Instr>, modes: &mut Vec<u8>) {
    let mut inserts = Vec::new();
    let mut entries = 0;
    for p in 0..code.len() {
        // The entries of a `br_table` are `br`s that must stay one per slot.
        if let Instr::BrTable { n, .. } = code[p] {
            entries = n as usize + 1;
            continue;
        }
        if entries > 0 {
            entries -= 1;
            continue;
        }
        let Instr::Br { t } = code[p] else { continue };
        let t = t as usize;
        if t >= p || modes[p] != 0 {
            continue;
        }
        // The head may charge the meter or check for an interrupt before the test: copy those too.
        let mut test = t;
        while matches!(code[test], Instr::Meter { .. } | Instr::MeterCount { .. } | Instr::CheckInterrupt) {
            test += 1;
        }
        let is_test = |i: &Instr| {
            !matches!(i, Instr::Br { .. }) && i.clone().target_mut().is_some() && i.plain_step() == Some(None)
        };
        if test >= p || !is_test(&code[test]) || modes[t..=test].iter().any(|&m| m != 0) {
            continue;
        }
        code[p] = code[t];
        inserts.extend(code[t + 1..=test].iter().map(|&instr| (p + 1, instr)));
        inserts.push((p + 1, Instr::Br { t: test as u32 + 1 }));
    }
    insert(code, modes, &inserts);
}

/// The induction slot and the (absolute) target of a latch.
fn latch(instr: &Instr) -> Option<(S, usize)> {
    match *instr {
        Instr::StepBrImm { x, t, .. }
        | Instr::StepBr { x, t, .. }
        | Instr::AddBrImm { x, t, .. }
        | Instr::AddBr { x, t, .. } => Some((x as S, t as usize)),
        _ => None,
    }
}

/// Carry the induction variable of every loop that allows it in the accumulator: rewrite `code` and its
/// accumulator `modes` (as `translate::acc_modes` left them; before metering is fused), inserting a
/// `LoadAcc` in front of each such loop and moving branch targets past the insertions.
///
/// A loop qualifies when its head is entered only by falling into it and from its latch; no branch lands
/// anywhere else in its body; and every instruction of the body, in mode 0, keeps the accumulator, writes
/// no slot but one that is not `x`, and continues in order, by a branch or with a trap
/// (`Instr::plain_step`). Then the accumulator holds `x` from the head to the latch.
pub(super) fn carry_induction(code: &mut Vec<Instr>, modes: &mut Vec<u8>) {
    let n = code.len();
    let landings = landings(code);
    let mut heads = Vec::new();
    for q in 0..n {
        let Some((x, head)) = latch(&code[q]) else { continue };
        let body = head..q;
        if head > q
            || modes[q] != 0
            || landings[head] != 1
            || landings[head + 1..=q].iter().any(|&c| c != 0)
            || !body.clone().all(|k| modes[k] == 0 && matches!(code[k].plain_step(), Some(w) if w != Some(x)))
        {
            continue;
        }
        for k in body {
            // `Select` reads its destination and `b` as well; `acc_operands` offers its condition only
            // when neither is `x`.
            if let Some(bit) = code[k].acc_position(x)
                && super::exec::try_handler_of(&code[k], bit).is_some()
            {
                modes[k] = bit;
            }
        }
        modes[q] = ir::acc::A;
        heads.push((head, x));
    }
    heads.sort_unstable();
    let inserts: Vec<(usize, Instr)> = heads.into_iter().map(|(at, x)| (at, Instr::LoadAcc { s: x })).collect();
    insert(code, modes, &inserts);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ir::acc::{A, B, OUT};

    #[test]
    fn branches_to_the_next_instruction_go_and_targets_follow() {
        let mut code = vec![
            Instr::BrIfNez { c: 0, t: 3 },
            Instr::Const32 { d: 1, v: 5 },
            Instr::Br { t: 3 },
            Instr::ConstBr { d: 1, v: 6, t: 4 },
            Instr::BrIfEqz { c: 0, t: 2 },
            Instr::Return1 { s: 1 },
            Instr::Unreachable,
        ];
        let mut modes = vec![0; code.len()];
        drop_branches_to_next(&mut code, &mut modes);
        assert_eq!(
            code,
            [
                Instr::BrIfNez { c: 0, t: 2 },
                Instr::Const32 { d: 1, v: 5 },
                Instr::Const32 { d: 1, v: 6 },
                // It jumped to the dropped `br`: now to where that went.
                Instr::BrIfEqz { c: 0, t: 2 },
                Instr::Return1 { s: 1 },
                Instr::Unreachable,
            ]
        );
        assert_eq!(modes.len(), code.len());
    }

    #[test]
    fn entries_of_a_branch_table_stay() {
        let mut code = vec![
            Instr::BrTable { i: 0, n: 1 },
            Instr::Br { t: 2 },
            Instr::Br { t: 3 },
            Instr::Return0,
            Instr::Unreachable,
        ];
        let before = code.clone();
        let mut modes = vec![0; code.len()];
        drop_branches_to_next(&mut code, &mut modes);
        assert_eq!(code, before);
    }

    /// `for (j = i2; j < 200000; j += i) mem[j + 1024] = 1`, entered from `before`.
    fn sieve_loop() -> Vec<Instr> {
        vec![
            Instr::I32ShlImm { d: 3, a: 2, imm: 1 },
            Instr::I32Store8ImmAt { a: 3, imm: 1024, v: 1 },
            Instr::AddBrImm { cond: 3, x: 3, y: 2, lim: 200000, t: 1 },
            Instr::Return1 { s: 3 },
            Instr::Unreachable,
        ]
    }

    #[test]
    fn a_loop_whose_body_keeps_the_accumulator_carries_its_induction_variable() {
        let mut code = sieve_loop();
        let mut modes = vec![0; code.len()];
        carry_induction(&mut code, &mut modes);
        assert_eq!(
            code,
            [
                Instr::I32ShlImm { d: 3, a: 2, imm: 1 },
                Instr::LoadAcc { s: 3 },
                Instr::I32Store8ImmAt { a: 3, imm: 1024, v: 1 },
                Instr::AddBrImm { cond: 3, x: 3, y: 2, lim: 200000, t: 2 },
                Instr::Return1 { s: 3 },
                Instr::Unreachable,
            ]
        );
        assert_eq!(modes, [0, 0, A, A, 0, 0]);
    }

    #[test]
    fn a_latch_alone_carries_and_later_targets_move() {
        let mut code = vec![
            Instr::Const32 { d: 1, v: 0 },
            Instr::StepBrImm { cond: 1, x: 1, step: 1, lim: 10, t: 1 },
            Instr::BrIfNez { c: 0, t: 4 },
            Instr::Br { t: 0 },
            Instr::Return1 { s: 1 },
            Instr::Unreachable,
        ];
        let mut modes = vec![0; code.len()];
        carry_induction(&mut code, &mut modes);
        assert_eq!(code[1], Instr::LoadAcc { s: 1 });
        assert_eq!(code[2], Instr::StepBrImm { cond: 1, x: 1, step: 1, lim: 10, t: 2 });
        assert_eq!(code[3], Instr::BrIfNez { c: 0, t: 5 });
        // A branch to before the inserted instruction keeps its target.
        assert_eq!(code[4], Instr::Br { t: 0 });
        assert_eq!(modes, [0, 0, A, 0, 0, 0, 0]);
    }

    #[test]
    fn the_value_operand_of_a_store_comes_from_the_accumulator_too() {
        let mut code = vec![
            Instr::I32Store { a: 0, v: 1, off: 0 },
            Instr::StepBrImm { cond: 1, x: 1, step: 1, lim: 10, t: 0 },
            Instr::Unreachable,
        ];
        let mut modes = vec![0; 3];
        carry_induction(&mut code, &mut modes);
        assert_eq!(code[0], Instr::LoadAcc { s: 1 });
        assert_eq!(modes, [0, B, A, 0]);
    }

    #[test]
    fn a_back_edge_to_a_test_becomes_the_test() {
        let mut code = vec![
            Instr::Const32 { d: 1, v: 0 },
            Instr::BrI32AndImm { a: 1, imm: 255, t: 4 },
            Instr::I32AddImm { d: 2, a: 2, imm: 1 },
            Instr::BrIfNez { c: 2, t: 5 },
            Instr::I32Load8UAt { d: 1, a: 0, imm: 1024 },
            Instr::Br { t: 1 },
            Instr::BrTable { i: 0, n: 1 },
            Instr::Br { t: 1 },
            Instr::Br { t: 3 },
            Instr::Br { t: 3 },
            Instr::Unreachable,
        ];
        let mut modes = vec![0; code.len()];
        thread_back_edges(&mut code, &mut modes);
        assert_eq!(
            code,
            [
                Instr::Const32 { d: 1, v: 0 },
                Instr::BrI32AndImm { a: 1, imm: 255, t: 4 },
                Instr::I32AddImm { d: 2, a: 2, imm: 1 },
                Instr::BrIfNez { c: 2, t: 5 },
                Instr::I32Load8UAt { d: 1, a: 0, imm: 1024 },
                // The copy of the test, then the way on when it does not branch; the jump to the old `br`
                // lands on the copy.
                Instr::BrI32AndImm { a: 1, imm: 255, t: 4 },
                Instr::Br { t: 2 },
                // A table's entries stay as they are.
                Instr::BrTable { i: 0, n: 1 },
                Instr::Br { t: 1 },
                Instr::Br { t: 3 },
                // A later back edge, to the other test, and its targets moved past the insertion.
                Instr::BrIfNez { c: 2, t: 5 },
                Instr::Br { t: 4 },
                Instr::Unreachable,
            ]
        );
        assert_eq!(modes, vec![0; code.len()]);
    }

    #[test]
    fn a_back_edge_copies_the_meter_and_the_interrupt_check_before_the_test() {
        let mut code = vec![
            Instr::Meter { gas: 3 },
            Instr::CheckInterrupt,
            Instr::BrIfNez { c: 2, t: 5 },
            Instr::I32AddImm { d: 2, a: 2, imm: 1 },
            Instr::Br { t: 0 },
            Instr::Unreachable,
        ];
        let mut modes = vec![0; code.len()];
        thread_back_edges(&mut code, &mut modes);
        assert_eq!(
            code,
            [
                Instr::Meter { gas: 3 },
                Instr::CheckInterrupt,
                Instr::BrIfNez { c: 2, t: 8 },
                Instr::I32AddImm { d: 2, a: 2, imm: 1 },
                Instr::Meter { gas: 3 },
                Instr::CheckInterrupt,
                Instr::BrIfNez { c: 2, t: 8 },
                Instr::Br { t: 3 },
                Instr::Unreachable,
            ]
        );
    }

    #[test]
    fn back_edges_to_other_instructions_stay() {
        let code = vec![
            Instr::I32AddImm { d: 2, a: 2, imm: 1 },
            Instr::Br { t: 0 },
            Instr::StepBrImm { cond: 1, x: 1, step: 1, lim: 10, t: 4 },
            Instr::Br { t: 2 },
            Instr::Br { t: 5 },
            Instr::Unreachable,
        ];
        let (mut c, mut m) = (code.clone(), vec![0; code.len()]);
        thread_back_edges(&mut c, &mut m);
        assert_eq!(c, code);
    }

    #[test]
    fn loops_that_do_not_qualify_are_left_alone() {
        let unchanged = |code: Vec<Instr>, modes: Vec<u8>| {
            let (mut c, mut m) = (code.clone(), modes.clone());
            carry_induction(&mut c, &mut m);
            assert_eq!((c, m), (code, modes));
        };
        let mut code = sieve_loop();
        // The body writes the induction variable.
        code[1] = Instr::I32AddImm { d: 3, a: 3, imm: 1 };
        unchanged(code, vec![0; 5]);
        // The body uses the accumulator for a value of its own.
        unchanged(sieve_loop(), vec![0, OUT, 0, 0, 0]);
        // The body calls.
        let mut code = sieve_loop();
        code[1] = Instr::Call { f: 0, base: 4 };
        unchanged(code, vec![0; 5]);
        // Another branch lands on the head, or inside the body.
        let mut code = sieve_loop();
        code[0] = Instr::BrIfNez { c: 0, t: 1 };
        unchanged(code.clone(), vec![0; 5]);
        code[0] = Instr::BrIfNez { c: 0, t: 2 };
        unchanged(code, vec![0; 5]);
        // A forward latch is no loop.
        let code = vec![
            Instr::StepBrImm { cond: 1, x: 1, step: 1, lim: 10, t: 2 },
            Instr::I32Store8ImmAt { a: 1, imm: 0, v: 1 },
            Instr::Unreachable,
        ];
        unchanged(code, vec![0; 3]);
    }
}
